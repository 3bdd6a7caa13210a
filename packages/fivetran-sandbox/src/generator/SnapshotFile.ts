import { writeFileAtomically } from "@baton-fivetran/settings"
import { FileSystem } from "@effect/platform"
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

export class SnapshotReadError extends Data.TaggedError("SnapshotReadError")<{
  readonly path: string
  readonly cause: unknown
}> {
  override get message() {
    return `Cannot read snapshot file ${this.path}: ${String(this.cause)}`
  }
}

/** The file is not JSON at all. */
export class SnapshotParseError extends Data.TaggedError("SnapshotParseError")<{
  readonly path: string
  readonly detail: string
}> {
  override get message() {
    return `Snapshot file ${this.path} is not valid JSON: ${this.detail}`
  }
}

/** The file is JSON but not an account: `field` is a path such as `users[3].email`. */
export class SnapshotInvalidError extends Data.TaggedError("SnapshotInvalidError")<{
  readonly path: string
  readonly field: string
  readonly detail: string
}> {
  override get message() {
    return `Snapshot file ${this.path} is invalid at ${this.field}: ${this.detail}`
  }
}

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
 * first offending field.
 */
export const readSnapshot = Effect.fn("Snapshot.read")(function*(path: string) {
  const fs = yield* FileSystem.FileSystem
  const text = yield* fs.readFileString(path).pipe(Effect.mapError((cause) => new SnapshotReadError({ path, cause })))
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
