import { FileSystem } from "@effect/platform"
import { Effect } from "effect"
import { UsageError } from "../UsageError.js"

/**
 * A .c1z a review command reads (`-f`, diff's OLD.c1z and NEW.c1z), checked before it is opened:
 * a path that names nothing or a directory is a mistake on the command line (exit 2, saying which),
 * as the sync path treats it, not a failed read with advice about disk space. Other stat failures
 * (a directory on the way that cannot be searched) are left to the reader, which names the cause.
 */
export const checkSyncFile = (name: string, path: string): Effect.Effect<void, UsageError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.stat(path)).pipe(
    Effect.flatMap((info) => {
      switch (info.type) {
        case "File":
          return Effect.void
        case "Directory":
          return Effect.fail(new UsageError({ reason: `${name} ${path}: is a directory, not a .c1z sync file` }))
        default:
          return Effect.fail(
            new UsageError({ reason: `${name} ${path}: is not a regular file (${info.type}); a .c1z is read from a file` })
          )
      }
    }),
    Effect.catchTag(
      "SystemError",
      (error) => error.reason === "NotFound" ? Effect.fail(new UsageError({ reason: `${name} ${path}: no such file` })) : Effect.void
    ),
    Effect.catchTag("BadArgument", () => Effect.void)
  )
