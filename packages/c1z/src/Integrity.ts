import type Database from "better-sqlite3"
import { Option } from "effect"
import { findMissingReferences, noMissingReferences } from "./MissingReferences.js"
import { oversizedIdReason, rowIdLimitBytes } from "./RowBlob.js"
import { Tables } from "./SqliteSchema.js"
import type { SyncRun } from "./SyncRun.js"

/**
 * What `verify` tells of a sync file whose database SQLite's full integrity check passes and whose
 * rows name only what its sync holds: its sync and how many rows of each kind that sync holds.
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

/** One kind of row naming what the sync does not hold: "1 grant naming ... it does not hold (v1_grants row 7)". */
const missingKind = (rows: ReadonlyArray<number>, noun: string, what: string, table: string): ReadonlyArray<string> =>
  rows.length === 0
    ? []
    : [
      `${rows.length} ${noun}${rows.length === 1 ? "" : "s"} naming ${what} it does not hold (${table} row ${String(rows[0])}` +
      `${rows.length === 1 ? "" : " and others"})`
    ]

/**
 * Rows of the sync that name a resource, entitlement or principal it does not hold
 * (MissingReferences.ts), found by row id without reading a blob. baton's own listings (baton-sdk
 * v0.7.27's `baton grants`, `baton resources`) stop at the first such row, and this connector's
 * writer never writes one, so verify refuses a file holding them: Some(what is missing), else None.
 */
export const missingReferenceProblems = (db: Database.Database, syncId: string): Option.Option<string> => {
  const missing = findMissingReferences(db, syncId)
  if (noMissingReferences(missing)) return Option.none()
  const kinds = [
    ...missingKind(missing.resources, "resource", "a parent", Tables.resources),
    ...missingKind(missing.entitlements, "entitlement", "a resource", Tables.entitlements),
    ...missingKind(missing.grants, "grant", "an entitlement or principal", Tables.grants)
  ]
  return Option.some(
    `its sync holds ${kinds.join(", ")}; baton's own listings (baton grants, baton resources) stop at the first such row`
  )
}

/** The text id columns the reader reads, by table. */
const idColumns: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  [Tables.resourceTypes, ["external_id"]],
  [Tables.resources, ["external_id"]],
  [Tables.entitlements, ["external_id"]],
  [Tables.grants, ["external_id", "entitlement_id", "principal_resource_id"]]
]

/**
 * The first id over the reader's limit (RowBlob.ts) in the sync's rows, found from sizes alone
 * (octet_length() does not read the value): the listings refuse such a row when they reach it, and
 * verify says so before a file is trusted. Some(the reason), else None.
 */
export const oversizedIdProblems = (db: Database.Database, syncId: string): Option.Option<string> => {
  for (const [table, columns] of idColumns) {
    for (const column of columns) {
      const found = db.prepare(
        `SELECT id, octet_length(${column}) AS bytes FROM ${table}
         WHERE sync_id = ? AND octet_length(${column}) > ${rowIdLimitBytes} ORDER BY id LIMIT 1`
      ).get(syncId) as { readonly id: number; readonly bytes: number } | undefined
      if (found !== undefined) return Option.some(oversizedIdReason(`${table} row ${found.id}`, column, found.bytes))
    }
  }
  return Option.none()
}
