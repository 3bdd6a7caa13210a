import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect } from "effect"

/** Owner only (read, write, search): the mode of every directory the apps make. */
export const ownerOnlyDirectory = 0o700

/**
 * Makes `path` and any missing parent owner-only (0700), as the HTTP service's data and temporary
 * directories: what the apps write there holds every user's email and access. A directory that
 * exists already keeps its mode: that is the operator's choice (a volume shared on purpose).
 */
export const makePrivateDirectory = (path: string): Effect.Effect<void, PlatformError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeDirectory(path, { recursive: true, mode: ownerOnlyDirectory }))
