import { assert, describe, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect, Stream } from "effect"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { compress, decompress } from "zstd-napi"
import { magic, openC1z, writeC1z } from "../src/index.js"
import { crafted } from "./CraftedFile.js"
import * as F from "./fixtures.js"
import { tempDir } from "./TempDir.js"

/**
 * Damage inside a sync file's database that its zstd checksum cannot show (it checks what was
 * compressed), found only after the open: the reader took SQLite's failures there for its working
 * copy damaged under it, exit 1 and "the .c1z itself ... is not the cause".
 */
describe("a sync file whose database is damaged past what the open reads", () => {
  it.scopedLive("a table without a column the reader reads is Corrupt at the open, naming it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* writeC1z(join(dir, "good.c1z"), Stream.fromIterable(F.syncRows))
      const path = yield* crafted(dir, "no-external-id", () =>
        "DROP INDEX idx_grants_external_sync_v1; ALTER TABLE v1_grants DROP COLUMN external_id")
      const error = yield* Effect.flip(Effect.scoped(openC1z(path)))
      assert.deepStrictEqual([error._tag, error.message], [
        "Corrupt",
        `${path}: the .c1z is damaged: v1_grants has no column external_id, which the reader reads (write it again)`
      ])
    }))

  it.scopedLive("a file without one of the tables every sync writes is Corrupt at the open, naming it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* writeC1z(join(dir, "good.c1z"), Stream.fromIterable(F.syncRows))
      for (const table of ["v1_resources", "v1_sync_runs"]) {
        const path = yield* crafted(dir, `no-${table}`, () => `DROP TABLE ${table}`)
        const error = yield* Effect.flip(Effect.scoped(openC1z(path)))
        assert.deepStrictEqual([error._tag, error.message], [
          "Corrupt",
          `${path}: the .c1z is damaged: it has no table ${table}, which every sync writes (write it again)`
        ])
      }
    }))

  it.scopedLive("a damaged page that a listing reaches after the open is Corrupt, the file's, when the working copy is as the open left it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* writeC1z(join(dir, "good.c1z"), Stream.fromIterable(F.syncRows))
      const database = decompress((yield* Effect.promise(() => readFile(join(dir, "good.c1z")))).subarray(magic.length))
      const dbPath = join(dir, "good.db")
      yield* Effect.promise(() => writeFile(dbPath, database))
      const db = new Database(dbPath, { readonly: true })
      const { rootpage } = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'v1_resource_types'").get() as {
        rootpage: number
      }
      const pageBytes = db.pragma("page_size", { simple: true }) as number
      db.close()
      // The b-tree page type of v1_resource_types' root, which no query of the open reads: 0 is none.
      database[(rootpage - 1) * pageBytes] = 0
      const path = join(dir, "damaged-page.c1z")
      yield* Effect.promise(() => writeFile(path, Buffer.concat([magic, compress(database)])))
      const reader = yield* openC1z(path)
      const error = yield* Effect.flip(Stream.runDrain(reader.resourceTypes))
      assert.deepStrictEqual([error._tag, error.message], [
        "Corrupt",
        `${path}: the .c1z is damaged: database disk image is malformed (write it again)`
      ])
    }))
})
