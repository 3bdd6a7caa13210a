import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect } from "effect"
import { dirname } from "node:path"
import { isSystemError } from "./PlatformErrorText.js"

/** Owner only (read, write, search): the mode of every directory the apps make. */
export const ownerOnlyDirectory = 0o700

/**
 * Node's recursive mkdir reports ENOENT for a directory it cannot make in an existing parent on a
 * read-only file system (nodejs/node#47098): `--data-dir ./data` in a container's read-only working
 * directory said "cannot be created (ENOENT)", as though a parent were missing. The first missing
 * directory of `path` is made on its own, which fails with the true error (EROFS); when it can be
 * made after all (made meanwhile), the rest is.
 */
const trueFailure = (fs: FileSystem.FileSystem, path: string) =>
  Effect.gen(function*() {
    let missing = path
    while (dirname(missing) !== missing && !(yield* fs.exists(dirname(missing)).pipe(Effect.orElseSucceed(() => true)))) {
      missing = dirname(missing)
    }
    yield* fs.makeDirectory(missing, { mode: ownerOnlyDirectory })
    yield* fs.makeDirectory(path, { recursive: true, mode: ownerOnlyDirectory })
  })

/**
 * Makes `path` and any missing parent owner-only (0700), as the HTTP service's data and temporary
 * directories: what the apps write there holds every user's email and access. A directory that
 * exists already keeps its mode: that is the operator's choice (a volume shared on purpose).
 */
export const makePrivateDirectory = (path: string): Effect.Effect<void, PlatformError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    fs.makeDirectory(path, { recursive: true, mode: ownerOnlyDirectory }).pipe(
      Effect.catchIf(isSystemError("NotFound"), () => trueFailure(fs, path))
    ))
