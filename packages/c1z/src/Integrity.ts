import type Database from "better-sqlite3"
import { Option } from "effect"
import { Tables } from "./SqliteSchema.js"
import type { SyncRun } from "./SyncRun.js"

/**
 * What `verify` tells of a sync file whose database SQLite's full integrity check passes: its sync
 * and how many rows of each kind that sync holds.
 */
export interface Verified {
  readonly path: string
  readonly syncRun: SyncRun
  readonly resources: number
  readonly entitlements: number
  readonly grants: number
}

/**
 * How many of integrity_check's lines a refusal shows: a damaged index gives one per row it misses,
 * and the first few say what is wrong.
 */
const shownProblems = 3

/**
 * SQLite's full `integrity_check` of the working copy, which also checks every index against its
 * table. The reader's queries go through the indexes the file brings, so an index that leaves rows
 * out (a partial index whose SQL was swapped back to the plain text through writable_schema) hides
 * them from a principal's or an entitlement's listing while the full listing still shows them;
 * `quick_check` does not compare an index's entries with its table's rows. Some(the first problems,
 * joined) when it does not say "ok".
 */
export const integrityProblems = (db: Database.Database): Option.Option<string> => {
  const lines = (db.pragma(`integrity_check(${shownProblems})`) as ReadonlyArray<{ readonly integrity_check: string }>)
    .map((row) => row.integrity_check)
  return lines.length === 1 && lines[0] === "ok" ? Option.none() : Option.some(lines.join("; "))
}

/** The sync's rows of each kind. */
export const rowCounts = (db: Database.Database, syncId: string) => {
  const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE sync_id = ?`).get(syncId) as { n: number }).n
  return { resources: count(Tables.resources), entitlements: count(Tables.entitlements), grants: count(Tables.grants) }
}
