import Database from "better-sqlite3"
import { Effect } from "effect"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { compress, decompress } from "zstd-napi"
import { magic } from "../src/index.js"

/**
 * The sync file `good.c1z` of `dir`, its database edited by `sql` (given the sync's id), packed again
 * as `<name>.c1z` in `dir`: a hand-edited or crafted file.
 */
export const crafted = (dir: string, name: string, sql: (syncId: string) => string) =>
  Effect.promise(async () => {
    const dbPath = join(dir, `${name}.db`)
    await writeFile(dbPath, decompress((await readFile(join(dir, "good.c1z"))).subarray(magic.length)))
    const db = new Database(dbPath)
    const { sync_id } = db.prepare("SELECT sync_id FROM v1_sync_runs").get() as { sync_id: string }
    db.exec(sql(sync_id))
    db.close()
    const path = join(dir, `${name}.c1z`)
    await writeFile(path, Buffer.concat([magic, compress(await readFile(dbPath))]))
    return path
  })
