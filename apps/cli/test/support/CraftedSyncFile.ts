import { readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { compress, decompress } from "zstd-napi"

/**
 * Sync files crafted against the reader: a real sync's database edited with better-sqlite3 (a
 * dependency of the CLI; its types are not), packed again in the .c1z envelope.
 */

const header = Buffer.from("C1ZF\0", "latin1")

/** better-sqlite3's Database, as far as the tests use it. */
export interface SqliteDatabase {
  readonly exec: (sql: string) => void
  readonly prepare: (sql: string) => {
    readonly get: (...params: ReadonlyArray<unknown>) => unknown
    readonly run: (...params: ReadonlyArray<unknown>) => unknown
  }
  readonly pragma: (sql: string) => unknown
  readonly unsafeMode: (on: boolean) => void
  readonly close: () => void
}
const Database = createRequire(import.meta.url)("better-sqlite3") as new(path: string) => SqliteDatabase

/** The database of the sync `file`, edited by `edit`, packed again as `target`; what `edit` returned. */
export const craft = <A>(file: string, target: string, edit: (db: SqliteDatabase) => A): A => {
  const dbPath = `${target}.db`
  writeFileSync(dbPath, decompress(readFileSync(file).subarray(header.length)))
  const db = new Database(dbPath)
  let edited: A
  try {
    edited = edit(db)
  } finally {
    db.close()
  }
  writeFileSync(target, Buffer.concat([header, compress(readFileSync(dbPath))]))
  return edited
}
