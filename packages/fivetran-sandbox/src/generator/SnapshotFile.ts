import { fileKindName, platformErrorText, readTextWithin, writeFileAtomically } from "@baton-fivetran/settings"
import { type Error as PlatformError, FileSystem } from "@effect/platform"
import { Data, Effect, ParseResult, Schema } from "effect"
import { AccountSnapshot } from "../state/AccountSnapshot.js"
import { findIntegrityViolation } from "./SnapshotIntegrity.js"

export class SnapshotWriteError extends Data.TaggedError("SnapshotWriteError")<{
  readonly path: string
  readonly cause: unknown
}> {
  override get message() {
    return `Cannot write snapshot file ${this.path}: ${String(this.cause)}`
  }
}

/** The file could not be read for a reason of the machine's (EIO, ...): the file itself may be fine. */
export class SnapshotReadError extends Data.TaggedError("SnapshotReadError")<{
  readonly path: string
  readonly cause: PlatformError.PlatformError
}> {
  override get message() {
    return `Cannot read snapshot file ${this.path}: ${platformErrorText(this.cause)}`
  }
}

/** How to get a file readSnapshot reads, for the refusals of one it does not (an app with a way of its own says that instead). */
export const howToMakeSnapshot =
  "a snapshot is written by writeSnapshot of @baton-fivetran/fivetran-sandbox (e.g. of generatePreset(\"small\")); " +
  "or serve a generated account with --preset instead"

/**
 * The path does not name a file that can be read as given: `problem` is "no such file",
 * "permission denied", over SnapshotFileLimit, "a directory" or another kind of node ("a named
 * pipe (FIFO)", whose read would wait for a writer).
 */
export class SnapshotFileUnusable extends Data.TaggedError("SnapshotFileUnusable")<{
  readonly path: string
  readonly problem: string
}> {
  override get message() {
    return `Snapshot file ${this.path}: ${this.problem}`
  }
}

/** The file is not JSON at all. */
export class SnapshotParseError extends Data.TaggedError("SnapshotParseError")<{
  readonly path: string
  readonly detail: string
}> {
  override get message() {
    return `Snapshot file ${this.path} is not JSON (${this.detail}); ${howToMakeSnapshot}`
  }
}

/** The file is JSON but not an account: `field` is a path such as `users[3].email`. */
export class SnapshotInvalidError extends Data.TaggedError("SnapshotInvalidError")<{
  readonly path: string
  readonly field: string
  readonly detail: string
}> {
  override get message() {
    return `Snapshot file ${this.path} is invalid at ${this.field}: ${this.detail}; ${howToMakeSnapshot}`
  }
}

/** The refusals of a file given by the user (a command exits 2 for them), not failures of the machine. */
export type SnapshotInputError = SnapshotFileUnusable | SnapshotParseError | SnapshotInvalidError

export const isSnapshotInputError = (error: unknown): error is SnapshotInputError =>
  error instanceof SnapshotFileUnusable || error instanceof SnapshotParseError || error instanceof SnapshotInvalidError

/** The platform's reasons that are the file given, not the machine. */
const unusableReasons: Partial<Record<PlatformError.SystemErrorReason, string>> = {
  NotFound: "no such file",
  PermissionDenied: "permission denied"
}

const readFailure = (path: string) => (cause: PlatformError.PlatformError) => {
  const problem = cause._tag === "SystemError" ? unusableReasons[cause.reason] : undefined
  return problem === undefined
    ? new SnapshotReadError({ path, cause })
    : new SnapshotFileUnusable({ path, problem: `${problem}; ${howToMakeSnapshot}` })
}

/**
 * The largest snapshot read. The `large` preset (10,000 users) written pretty is 11,166,607 bytes
 * (10.6 MiB), and bench/src/cli-sync.ts serves it grown 4 times (44,556,985 bytes) and 8 times
 * (91,859,007); 128 MiB holds those with room, while a log or a disk image given by mistake is
 * refused instead of read into memory (and parsed, several times its size).
 */
export const SnapshotFileLimit = 128 * 1024 * 1024

const formatField = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : out === "" ? String(key) : `${out}.${String(key)}`),
    ""
  ) || "(root)"

export interface WriteSnapshotOptions {
  /** Indented JSON for files people read and diff; compact otherwise. Default: true. */
  readonly pretty?: boolean
}

/**
 * Writes `snapshot` atomically and owner-only (settings' `writeFileAtomically`), so a reader
 * never sees half a file. Keys come out in schema order, so the same
 * snapshot always gives the same bytes.
 */
export const writeSnapshot = Effect.fn("Snapshot.write")(function*(
  path: string,
  snapshot: AccountSnapshot,
  options: WriteSnapshotOptions = {}
) {
  const encoded = yield* Schema.encode(AccountSnapshot)(snapshot).pipe(
    Effect.mapError((cause) => new SnapshotWriteError({ path, cause: ParseResult.TreeFormatter.formatErrorSync(cause) }))
  )
  const text = `${JSON.stringify(encoded, null, options.pretty === false ? undefined : 2)}\n`
  yield* writeFileAtomically(path, text).pipe(Effect.mapError((cause) => new SnapshotWriteError({ path, cause })))
})

/**
 * Reads an account written by `writeSnapshot` (or by hand), decoding it through the
 * AccountSnapshot schema and checking its cross-references; any problem names the file and the
 * first offending field. Only a regular file is read (a named pipe would wait for a writer).
 */
export const readSnapshot = Effect.fn("Snapshot.read")(function*(path: string) {
  const fs = yield* FileSystem.FileSystem
  const info = yield* fs.stat(path).pipe(Effect.mapError(readFailure(path)))
  if (info.type !== "File") {
    return yield* new SnapshotFileUnusable({ path, problem: `is ${fileKindName(info.type)}, not a JSON file` })
  }
  const text = yield* readTextWithin(path, SnapshotFileLimit, "a snapshot file").pipe(
    Effect.mapError((error) =>
      error._tag === "FileTooLarge"
        ? new SnapshotFileUnusable({ path, problem: error.problem })
        : readFailure(path)(error)
    )
  )
  const json = yield* Effect.try({
    try: (): unknown => JSON.parse(text),
    catch: (error) => new SnapshotParseError({ path, detail: error instanceof Error ? error.message : String(error) })
  })
  const snapshot = yield* Schema.decodeUnknown(AccountSnapshot)(json).pipe(
    Effect.mapError((error) => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
      return new SnapshotInvalidError({
        path,
        field: formatField(issue?.path ?? []),
        detail: issue?.message ?? ParseResult.TreeFormatter.formatErrorSync(error)
      })
    })
  )
  const violation = findIntegrityViolation(snapshot)
  if (violation !== undefined) return yield* new SnapshotInvalidError({ path, ...violation })
  return snapshot
})
