import Database from "better-sqlite3"
import { Effect, type Scope } from "effect"
import { readFile, writeFile } from "node:fs/promises"
import { decompress } from "zstd-napi"

/**
 * Opens a .c1z the plain way, independently of the package's reader: strip the 5-byte magic,
 * zstd-decompress the rest in one go, write it as a lone SQLite file and open that.
 */
export const openRaw = (
  c1zPath: string,
  databasePath: string
): Effect.Effect<{ header: Buffer; sqlite: Buffer; db: Database.Database }, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const file = await readFile(c1zPath)
      const sqlite = decompress(file.subarray(5))
      await writeFile(databasePath, sqlite)
      return { header: file.subarray(0, 5), sqlite, db: new Database(databasePath, { readonly: true }) }
    }),
    ({ db }) => Effect.sync(() => db.close())
  )
