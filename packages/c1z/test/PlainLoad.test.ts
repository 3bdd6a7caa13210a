import type { SyncRow } from "@baton-fivetran/connector-core"
import { assert, describe, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect, Stream } from "effect"
import { join } from "node:path"
import { Tables, writeC1z } from "../src/index.js"
import { createTables, makePlainRowWriter } from "../src/PlainLoad.js"
import { sqliteTimestamp } from "../src/SyncRun.js"
import * as F from "./fixtures.js"
import { openRaw } from "./RawFile.js"
import { tempDir } from "./TempDir.js"

/**
 * The writer binds each chunk's blobs as views of one buffer and inserts grants 25 rows a
 * statement; the bench's lower bound encodes each row into a buffer of its own and inserts it with
 * one prepared statement. Both must store the same rows, column for column: it proves the writer's
 * load path gives the rows the per-row path gives, and that the bench compares equal loads.
 */

const loaded = [Tables.resourceTypes, Tables.resources, Tables.entitlements, Tables.grants] as const
const syncId = "2PlainLoadSyncId00000000000"
const now = new Date("2026-01-02T03:04:05.678Z")

/** The fixtures, then 60 more grants (every 3rd expandable, every 4th with sources) with a resource among them. */
const rows: ReadonlyArray<SyncRow> = [
  ...F.syncRows,
  ...Array.from({ length: 60 }, (_, i): SyncRow => {
    const base = [F.teamManagesWarehouse, F.aliceReviews, F.bobManagesWarehouse][i % 3]!
    return {
      _tag: "GrantRow",
      value: { ...base, id: `${base.id}#${i}`, ...(i % 4 === 0 ? { sources: { [`s${i}`]: { isDirect: true } } } : {}) }
    }
  }).flatMap((
    row,
    i
  ) => (i === 30 ? [{ _tag: "ResourceRow", value: { ...F.bob, id: { resourceType: "user", resource: "carol" } } } as const, row] : [row]))
]

const rowsOf = (db: Database.Database) =>
  Object.fromEntries(loaded.map((table) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY id`).all()]))

describe("the plain load (the bench's lower bound)", () => {
  it.scopedLive("stores exactly the rows the writer stores", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const c1z = join(dir, "sync.c1z")
      yield* writeC1z(c1z, Stream.fromIterable(rows), { syncId, now })
      const { db: written } = yield* openRaw(c1z, join(dir, "written.db"))

      const plain = yield* Effect.acquireRelease(
        Effect.sync(() => new Database(join(dir, "plain.db"))),
        (db) => Effect.sync(() => db.close())
      )
      for (const sql of createTables) plain.exec(sql)
      const insertBatch = makePlainRowWriter(plain, syncId)
      for (let i = 0; i < rows.length; i += 7) insertBatch(rows.slice(i, i + 7), sqliteTimestamp(now))

      const expected = rowsOf(written)
      assert.deepStrictEqual(loaded.map((table) => expected[table]!.length), [5, 7, 4, 66])
      const expansions = written.prepare(`SELECT count(*) AS n FROM ${Tables.grants} WHERE expansion IS NOT NULL`).get()
      assert.deepStrictEqual(expansions, { n: 22 })
      assert.deepStrictEqual(rowsOf(plain), expected)
    }))
})
