import * as FileSystem from "@effect/platform/FileSystem"
import { Effect, Option } from "effect"
import { isSystemError } from "./PlatformErrorText.js"

/**
 * Why this process may not read a file, as a non-root pod meets one a root run or a Secret volume
 * left: who the process runs as and who owns the file, which Node's `EACCES: permission denied,
 * open ...` says neither of. `this process runs as uid 1001, gid 1001, and the file is owned by uid
 * 0, gid 0, mode 0600`; when the file cannot even be looked at, a directory on its path is the cause.
 */
export const deniedReadText = (file: string): Effect.Effect<string, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const identity = `this process runs as uid ${process.getuid?.() ?? "?"}, gid ${process.getgid?.() ?? "?"}`
    const owner = Option.match(yield* Effect.option(fs.stat(file)), {
      onNone: () => "and may not search a directory on its path",
      onSome: (info) =>
        `and the file is owned by uid ${Option.getOrElse(info.uid, () => "?")}, gid ${Option.getOrElse(info.gid, () => "?")}, mode 0${
          (info.mode & 0o777).toString(8)
        }`
    })
    return `${identity}, ${owner}`
  })

/** Whether this process is refused reading `file` (EACCES), rather than failing to read it otherwise. */
export const readDenied = (file: string): Effect.Effect<boolean, never, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    fs.access(file, { readable: true }).pipe(
      Effect.as(false),
      Effect.catchAll((error) => Effect.succeed(isSystemError("PermissionDenied")(error)))
    ))
