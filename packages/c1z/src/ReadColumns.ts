import type Database from "better-sqlite3"
import { Option } from "effect"
import { Tables } from "./SqliteSchema.js"

/**
 * The columns of each table the reader's queries and listing indexes name. A file lacking one (a
 * hand-edited or crafted file; older SDKs' missing columns are added first, OlderSchemas.ts) failed
 * its first listing with SQLite's "no such column: external_id", which the reader, past its open,
 * took for its working copy damaged under it: exit 1 and "the .c1z itself ... is not the cause".
 * The open now checks them, so such a file is refused as the file's fault.
 */
const readColumns: { readonly [table: string]: ReadonlyArray<string> } = {
  [Tables.resourceTypes]: ["id", "external_id", "data", "sync_id"],
  [Tables.resources]: ["id", "resource_type_id", "external_id", "parent_resource_type_id", "parent_resource_id", "data", "sync_id"],
  [Tables.entitlements]: ["id", "resource_type_id", "resource_id", "external_id", "data", "sync_id"],
  [Tables.syncRuns]: ["id", "sync_id", "started_at", "ended_at", "sync_type"],
  [Tables.grants]: [
    "id",
    "resource_type_id",
    "resource_id",
    "entitlement_id",
    "principal_resource_type_id",
    "principal_resource_id",
    "external_id",
    "expansion",
    "data",
    "sync_id"
  ]
}

/**
 * The first table the reader reads that the file lacks (`it has no table v1_resources`), if any:
 * every baton-sdk version wrote these five, and the open, which creates a missing table as baton's
 * reader does (OlderSchemas.ts, for the two later ones), listed a file without its resources as a
 * sync of none, exit 0, and one without its sync runs as an interrupted sync. Checked before then.
 */
export const missingReadTable = (db: Database.Database): Option.Option<string> => {
  const present = new Set(
    (db.prepare("SELECT lower(name) AS name FROM sqlite_master WHERE type = 'table'").all() as ReadonlyArray<{ name: string }>)
      .map((row) => row.name)
  )
  return Option.map(
    Option.fromNullable(Object.keys(readColumns).find((table) => !present.has(table))),
    (table) => `it has no table ${table}, which every sync writes`
  )
}

/** The first column the reader reads that the file's tables lack (`v1_grants has no column external_id`), if any. */
export const missingReadColumn = (db: Database.Database): Option.Option<string> => {
  const columnsOf = db.prepare("SELECT lower(name) AS name FROM pragma_table_info(?)")
  for (const [table, columns] of Object.entries(readColumns)) {
    const present = new Set((columnsOf.all(table) as ReadonlyArray<{ name: string }>).map((row) => row.name))
    const missing = columns.find((column) => !present.has(column))
    if (missing !== undefined) return Option.some(`${table} has no column ${missing}`)
  }
  return Option.none()
}
