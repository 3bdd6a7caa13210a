import type Database from "better-sqlite3"
import { createTables, Tables } from "./SqliteSchema.js"

/**
 * Files written by older baton-sdk versions lack what later versions added to the v1 schema: the
 * grant expansion columns (before v0.7.22), the sync type and the other sync-run columns, and any
 * table the reader would create. baton-sdk adds them when it opens such a file (docs/c1z-format.md
 * §2, "Version checks") and so does the reader, to its private working
 * copy, never to the `.c1z`: a missing column reads as its default, i.e. a grant without an
 * `expansion` (an older SDK left `GrantExpandable` among the grant's own annotations, where the
 * decoder finds it) and a `full` sync.
 */

/** The columns the SDK adds by `ALTER TABLE`, with the definitions of SqliteSchema.ts. */
const addedColumns: ReadonlyArray<{ readonly table: string; readonly column: string; readonly definition: string }> = [
  { table: Tables.syncRuns, column: "sync_type", definition: "TEXT NOT NULL DEFAULT 'full'" },
  { table: Tables.syncRuns, column: "parent_sync_id", definition: "TEXT NOT NULL DEFAULT ''" },
  { table: Tables.syncRuns, column: "linked_sync_id", definition: "TEXT NOT NULL DEFAULT ''" },
  { table: Tables.syncRuns, column: "supports_diff", definition: "INTEGER NOT NULL DEFAULT 0" },
  { table: Tables.grants, column: "expansion", definition: "BLOB" },
  { table: Tables.grants, column: "needs_expansion", definition: "INTEGER NOT NULL DEFAULT 0" }
]

const columnsOf = (db: Database.Database, table: string): ReadonlySet<string> =>
  new Set((db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as ReadonlyArray<{ name: string }>).map((row) => row.name))

/**
 * Brings the working copy `db` to the current v1 schema. Adding a column with a constant default
 * rewrites no row, so this costs the same for any size of file. Throws SQLite's error.
 */
export const upgradeOlderSchema = (db: Database.Database): void => {
  for (const sql of createTables) db.exec(sql.replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS "))
  for (const { column, definition, table } of addedColumns) {
    if (!columnsOf(db, table).has(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`)
  }
}
