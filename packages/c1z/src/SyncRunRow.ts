import { Timestamp } from "@baton-fivetran/fivetran-client/timestamp"
import { Either, ParseResult, Schema } from "effect"

/**
 * The `v1_sync_runs` row the reader picks, decoded: SQLite gives whatever the file holds, and a
 * hand-edited or crafted file's `ended_at` of 12345 failed every read command in JavaScript's words
 * ("e.replace is not a function", exit 1).
 */

/** A zone at the end of a time's text: `Z`, or an offset a Go driver appends (`+00:00`, `-08:00`). */
const zone = /(?:Z|[+-]\d{2}:\d{2})$/

/** The text with its zone, UTC when it has none (the SDK writes none): as RFC 3339 wants it. */
const zoned = (text: string) => zone.test(text) ? text : `${text}Z`

/**
 * SQLite DATETIME text as the SDK writes it (`2006-01-02 15:04:05.999999999`), in UTC; a `T`, and a
 * zone, are read too. Its fields must name a time that exists: a zoned 13th month or 25th hour
 * failed every read command with JavaScript's "Invalid time value" (exit 1), and a 30 February
 * read as 2 March. No leap second: Go's time has none, and Date reads none.
 */
const SqliteTime = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})?$/, {
    message: (issue) => `Expected a time as SQLite DATETIME text (YYYY-MM-DD HH:MM:SS), actual ${JSON.stringify(issue.actual)}`
  }),
  Schema.filter((text) => Schema.is(Timestamp)(zoned(text)), {
    message: (issue) =>
      `Expected a date and time that exist (no 13th month, 30 February or 25th hour), actual ${JSON.stringify(issue.actual)}`
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
  zone.test(text) ? new Date(text.replace(" ", "T")).toISOString() : `${text.replace(" ", "T")}Z`

/** The row, or why it is not one: `v1_sync_runs row 1: ["ended_at"]: Expected ...`. */
export const decodeSyncRunRow = (table: string, row: { readonly id?: unknown }): Either.Either<SyncRunRow, string> =>
  Either.mapLeft(Schema.decodeUnknownEither(SyncRunRow)(row), (error) => {
    const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
    return `${table} row ${String(row.id)}: ${issue?.path.join(".") ?? ""}: ${issue?.message ?? error.message}`
  })
