import { type C1zError, type C1zReader, errorCode, openC1z } from "@baton-fivetran/c1z"
import { fileKindName } from "@baton-fivetran/settings"
import { FileSystem } from "@effect/platform"
import { Effect, type Scope } from "effect"
import { UsageError } from "../UsageError.js"

/**
 * What a path that cannot name a file says of itself (the stat's errno), as a mistake on the
 * command line: a file named as a directory on the way (`sync.c1z/x.c1z`), or symbolic links that
 * loop. The reader said "could not open the .c1z: ENOTDIR ... (check the path, free disk space and
 * permissions)" and exited 1, as for a failing disk.
 */
const pathMistakes: { readonly [code: string]: string } = {
  ENOENT: "no such file",
  ENOTDIR: "no such file (a part of the path before its last names a file, not a directory)",
  ELOOP: "its symbolic links loop (or are nested too deep), so it names no file"
}

/**
 * A .c1z a review command reads (`-f`, diff's OLD.c1z and NEW.c1z), checked before it is opened:
 * a path that names nothing or a directory is a mistake on the command line (exit 2, saying which),
 * as the sync path treats it, not a failed read with advice about disk space. Other stat failures
 * (a directory on the way that cannot be searched) are left to the reader, which names the cause.
 */
export const checkSyncFile = (name: string, path: string): Effect.Effect<void, UsageError, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.stat(path)).pipe(
    Effect.flatMap((info) =>
      info.type === "File"
        ? Effect.void
        : Effect.fail(new UsageError({ reason: `${name} ${path}: is ${fileKindName(info.type)}, not a .c1z sync file` }))
    ),
    Effect.catchTag("SystemError", (error) => {
      const mistake = pathMistakes[errorCode(error.cause) ?? ""]
      return mistake === undefined ? Effect.void : Effect.fail(new UsageError({ reason: `${name} ${path}: ${mistake}` }))
    }),
    Effect.catchTag("BadArgument", () => Effect.void)
  )

const isEmpty = (path: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.stat(path)).pipe(
    Effect.map((info) => Number(info.size) === 0),
    Effect.orElseSucceed(() => false)
  )

/**
 * Opens it. A file without the .c1z header (an empty file, text, a plain SQLite database) is the
 * wrong file named, a usage error (exit 2) as a missing one is. A file with the header whose
 * content is not a sync file's (nothing, not zstd, not SQLite, no baton tables) or is damaged keeps
 * the reader's message, which says which; Exit.ts gives those exit 2 as well.
 */
export const openSyncFile = (
  path: string
): Effect.Effect<C1zReader, C1zError | UsageError, FileSystem.FileSystem | Scope.Scope> => refusingOtherFiles(path, openC1z(path))

/** `opening` (an open of `path`: openC1z, verifyC1z), with a file that is no .c1z at all refused as openSyncFile says. */
export const refusingOtherFiles = <A>(
  path: string,
  opening: Effect.Effect<A, C1zError, Scope.Scope>
): Effect.Effect<A, C1zError | UsageError, FileSystem.FileSystem | Scope.Scope> =>
  opening.pipe(
    Effect.catchTag("NotAC1z", (error): Effect.Effect<never, C1zError | UsageError, FileSystem.FileSystem> =>
      error.payload === undefined
        ? Effect.flatMap(isEmpty(path), (empty) =>
          Effect.fail(
            new UsageError({
              reason: `${path} is not a .c1z file (expected a baton sync file, which starts with the header "C1ZF\\0"; ${
                empty ? "this one is empty" : "this one does not"
              })`
            })
          ))
        : Effect.fail(error))
  )
