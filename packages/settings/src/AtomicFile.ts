import { FileSystem, Path } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Cause, Effect, Option } from "effect"
import { randomBytes } from "node:crypto"

/**
 * Every text file the apps and the sandbox replace (the CLI's `--summary-file`, the HTTP service's
 * job records, sandbox snapshots) is written the same way: to a temporary file beside the target,
 * then renamed over it, so a reader sees the old content or the new, never half of it.
 *
 * The temporary file is created, never opened: exclusively (`wx`, so an existing file or symlink
 * at its name is an error, not followed), owner-only (0600: the files hold every user's email and
 * access), under a name with 64 random bits (a pid was predictable: symlinks planted for a range of
 * pids in a shared directory made a root job write through them). The rename replaces the target,
 * or a symlink at the target, without following it. On any failure the temporary file is removed,
 * unless the failure was that the name was taken: that file is not ours. An interruption waits for
 * the write and the rename (milliseconds: these files are small): taken during the write, it removed
 * the temporary file while Node was still writing it, which then stayed behind.
 */

/** Owner read and write only: the mode of every file the project writes. */
export const ownerOnlyFile = 0o600

/** `.<target name>.<16 hex digits>.tmp` */
const temporaryName = /^\.(.+)\.[0-9a-f]{16}\.tmp$/

/** The name of the file a temporary file of `writeFileAtomically` was to replace, if `name` is one. */
export const temporaryTargetOf = (name: string): Option.Option<string> => Option.fromNullable(temporaryName.exec(name)?.[1])

/** The longest name (in bytes) `writeFileAtomically` can write: its temporary file's name adds 22 to it, within Linux's 255. */
export const longestAtomicFileName = 255 - ".".length - ".0123456789abcdef.tmp".length

const nameTaken = (error: PlatformError) => error._tag === "SystemError" && error.reason === "AlreadyExists"

/**
 * Replaces `path` with `text` (the file mode 0600 whatever it was before); fails with the file
 * system's error, which the caller words. `temporaryPath`, beside `path`, is for a caller that
 * names its temporary files for a later run to sweep (the CLI's summary, named as c1z's scratch
 * files, with its pid); by default `.<name>.<16 hex>.tmp`.
 */
export const writeFileAtomically = (
  path: string,
  text: string,
  temporaryPath?: string
): Effect.Effect<void, PlatformError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const paths = yield* Path.Path
    const suffix = yield* Effect.sync(() => randomBytes(8).toString("hex"))
    const temporary = temporaryPath ?? paths.join(paths.dirname(path), `.${paths.basename(path)}.${suffix}.tmp`)
    const removeTemporary = Effect.ignore(fs.remove(temporary))
    yield* fs.writeFileString(temporary, text, { flag: "wx", mode: ownerOnlyFile }).pipe(
      Effect.onError((cause) => Option.exists(Cause.failureOption(cause), nameTaken) ? Effect.void : removeTemporary),
      Effect.zipRight(fs.rename(temporary, path).pipe(Effect.onError(() => removeTemporary))),
      Effect.uninterruptible
    )
  })
