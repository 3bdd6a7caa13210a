import type Database from "better-sqlite3"
import { Option } from "effect"
import { Tables } from "./SqliteSchema.js"

/**
 * Baton's tables in a sync file are plain tables of stored columns (SqliteSchema.ts). A crafted file
 * may give one of their names to a view, a virtual table or a table with generated columns, whose
 * rows SQLite computes when the reader selects them: a view of a recursive query over `v1_sync_runs`
 * never ended, and SQLite runs on the main thread, so the open hung, deaf to Ctrl-C and SIGTERM (and
 * the HTTP service with it); a generated column of `zeroblob(...)` gave every row a blob of any size.
 * Such a file is refused before any of baton's tables is read.
 */

const names: ReadonlyArray<string> = Object.values(Tables)

/** What makes the file's schema other than plain tables, if anything (`v1_sync_runs is a view, not a table`). */
export const notPlainTables = (db: Database.Database): Option.Option<string> => {
  // Table names are case-insensitive in SQL: a view `V1_SYNC_RUNS` answers `FROM v1_sync_runs`.
  const objects = db.prepare(
    `SELECT name, type, sql FROM sqlite_master WHERE lower(name) IN (${names.map(() => "?").join(", ")}) ORDER BY name`
  ).all(...names) as ReadonlyArray<{ name: string; type: string; sql: string | null }>
  for (const { name, sql, type } of objects) {
    if (type === "view") return Option.some(`${name} is a view, not a table`)
    if (type === "table" && /^\s*CREATE\s+VIRTUAL\s/i.test(sql ?? "")) return Option.some(`${name} is a virtual table, not a table`)
    if (type !== "table") continue
    // table_xinfo's hidden: 2 and 3 are generated columns (1, a virtual table's hidden column, was refused above).
    const generated = db.prepare(`SELECT name FROM pragma_table_xinfo(?) WHERE hidden <> 0 ORDER BY cid LIMIT 1`).get(name) as
      | { name: string }
      | undefined
    if (generated !== undefined) return Option.some(`${name}'s column ${generated.name} is generated, not stored`)
  }
  return Option.none()
}
