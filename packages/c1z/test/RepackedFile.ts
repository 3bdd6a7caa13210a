import Database from "better-sqlite3"
import { readFileSync, writeFileSync } from "node:fs"
import { compress, decompress } from "zstd-napi"

/** The v1 envelope's magic, written out here: the tests' files are packed as the format says, not as the writer does. */
const header = Buffer.from("C1ZF\0", "latin1")

/**
 * The database of the sync file `source` (unpacked beside `target` as `<target>.db`), given to `edit`
 * (a hand-edited, damaged or crafted file), packed again in the .c1z envelope as `target`; what
 * `edit` returned.
 */
export const repackEdited = <A>(source: string, target: string, edit: (db: Database.Database) => A): A => {
  const dbPath = `${target}.db`
  writeFileSync(dbPath, decompress(readFileSync(source).subarray(header.length)))
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
