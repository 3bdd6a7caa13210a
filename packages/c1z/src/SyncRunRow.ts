import { Either, ParseResult, Schema } from "effect"

/**
 * The `v1_sync_runs` row the reader picks, decoded: SQLite gives whatever the file holds, and a
 * hand-edited or crafted file's `ended_at` of 12345 failed every read command in JavaScript's words
 * ("e.replace is not a function", exit 1).
 */

/**
 * SQLite DATETIME text as the SDK writes it (`2006-01-02 15:04:05.999999999`), in UTC; a `T`, and a
 * zone a Go driver may append (`Z`, `+00:00`), are read too.
 */
const SqliteTime = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})?$/, {
    message: (issue) => `Expected a time as SQLite DATETIME text (YYYY-MM-DD HH:MM:SS), actual ${JSON.stringify(issue.actual)}`
  })
)

const SyncRunRow = Schema.Struct({
  id: Schema.Number,
  sync_id: Schema.NonEmptyString,
  started_at: SqliteTime,
  ended_at: SqliteTime,
  sync_type: Schema.String
})

export type SyncRunRow = typeof SyncRunRow.Type

/** RFC 3339 (UTC) of a decoded time: the text as it is when it has no zone, else through Date (to the millisecond). */
export const rfc3339Time = (text: string): string =>
  /(?:Z|[+-]\d{2}:\d{2})$/.test(text) ? new Date(text.replace(" ", "T")).toISOString() : `${text.replace(" ", "T")}Z`

/** The row, or why it is not one: `v1_sync_runs row 1: ["ended_at"]: Expected ...`. */
export const decodeSyncRunRow = (table: string, row: { readonly id?: unknown }): Either.Either<SyncRunRow, string> =>
  Either.mapLeft(Schema.decodeUnknownEither(SyncRunRow)(row), (error) => {
    const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
    return `${table} row ${String(row.id)}: ${issue?.path.join(".") ?? ""}: ${issue?.message ?? error.message}`
  })
