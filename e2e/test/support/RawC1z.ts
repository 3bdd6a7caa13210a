import Database from "better-sqlite3"
import { Effect, type Scope } from "effect"
import { readFile, writeFile } from "node:fs/promises"
import { decompress } from "zstd-napi"

/**
 * The SQLite database inside a .c1z, opened the plain way (strip the 5-byte magic, zstd-decompress,
 * open read-only) so tests see the stored bytes rather than what the package's reader makes of them.
 */
export const openRawC1z = (c1zPath: string): Effect.Effect<Database.Database, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const databasePath = `${c1zPath}.sqlite`
      await writeFile(databasePath, decompress((await readFile(c1zPath)).subarray(5)))
      return new Database(databasePath, { readonly: true })
    }),
    (db) => Effect.sync(() => db.close())
  )
