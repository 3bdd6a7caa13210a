import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { join } from "node:path"
import { openC1z, verifyC1z, writeC1z } from "../src/index.js"
import { craftedWith } from "./CraftedFile.js"
import * as F from "./fixtures.js"
import { tempDir } from "./TempDir.js"

/**
 * verifyC1z: SQLite's full integrity check of a sync file's database, and every row decoded as the
 * listings decode it. The reader trusts the indexes
 * a file brings: a partial index of a principal's grants whose SQL was swapped back to the plain
 * text (writable_schema) hid a user's grants from its listing, while the full listing showed them.
 */

const goodFile = (dir: string) => Effect.as(writeC1z(join(dir, "good.c1z"), Stream.fromIterable(F.syncRows)), join(dir, "good.c1z"))

/** The good file with its principal index leaving alice's grants out, though its SQL reads as the plain index. */
const hidingAlice = (dir: string) =>
  Effect.map(
    craftedWith(dir, "crafted", (db) => {
      const { sql } = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'idx_grants_principal_id_v1'").get() as { sql: string }
      db.exec(`DROP INDEX idx_grants_principal_id_v1; ${sql} WHERE principal_resource_id <> '${F.alice.id.resource}'`)
      // better-sqlite3's defensive mode forbids writing sqlite_master: lifted for the crafting only.
      db.unsafeMode(true)
      db.pragma("writable_schema = ON")
      db.prepare("UPDATE sqlite_master SET sql = ? WHERE name = 'idx_grants_principal_id_v1'").run(sql)
    }),
    ({ path }) => path
  )

/** The good file without bob's resource row: his two grants name a principal the sync does not hold. */
const withoutBob = (dir: string) =>
  Effect.map(
    craftedWith(dir, "without-bob", (db) => {
      db.prepare("DELETE FROM v1_resources WHERE external_id = ?").run(`${F.bob.id.resourceType}:${F.bob.id.resource}`)
      return db.prepare("SELECT id FROM v1_grants WHERE principal_resource_id = ? ORDER BY id").pluck()
        .all(F.bob.id.resource) as ReadonlyArray<number>
    }),
    ({ edited: grantRows, path }) => ({ path, grantRows })
  )

describe("verifyC1z", () => {
  it.scopedLive("a sync file as written passes, with its sync and its rows' counts", () =>
    Effect.gen(function*() {
      const path = yield* goodFile(yield* tempDir)
      const verified = yield* verifyC1z(path)
      const reader = yield* openC1z(path)
      assert.deepStrictEqual(verified, {
        path,
        syncRun: reader.syncRun,
        resources: F.resources.length,
        entitlements: F.entitlements.length,
        grants: F.grants.length
      })
    }))

  it.scopedLive("an index that leaves a principal's grants out is Corrupt, with integrity_check's first lines", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* goodFile(dir)
      const path = yield* hidingAlice(dir)
      const reader = yield* openC1z(path)
      const alices = F.grants.filter((grant) => grant.principal.id.resource === F.alice.id.resource)
      // Why verify exists: the open finds nothing wrong; the full listing holds alice's grants, hers none.
      const listed = Chunk.toArray(yield* Stream.runCollect(reader.sorted.grants())).map((row) => row.value.id)
      assert.deepStrictEqual(listed.filter((id) => alices.some((grant) => grant.id === id)).length, 2)
      assert.deepStrictEqual(Chunk.toArray(yield* Stream.runCollect(reader.sorted.grantsOf(F.alice.id))), [])
      const error = yield* Effect.flip(verifyC1z(path))
      assert.strictEqual(error._tag, "Corrupt")
      assert.strictEqual(
        error.message,
        `${path}: the .c1z is damaged: SQLite's integrity_check of its database reports: wrong # of entries in index ` +
          "idx_grants_principal_id_v1; row 1 missing from index idx_grants_principal_id_v1; row 5 missing from index " +
          "idx_grants_principal_id_v1 (write it again)"
      )
    }))

  it.scopedLive("grants naming a principal the sync does not hold are Corrupt, with their count and first row", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* goodFile(dir)
      const { grantRows, path } = yield* withoutBob(dir)
      assert.deepStrictEqual(grantRows, [2, 4])
      const error = yield* Effect.flip(verifyC1z(path))
      assert.strictEqual(error._tag, "Corrupt")
      assert.strictEqual(
        error.message,
        `${path}: the .c1z is damaged: its sync holds 2 grants naming an entitlement or principal it does not hold ` +
          `(v1_grants row 2 and others); baton's own listings (baton grants, baton resources) stop at the ` +
          "first such row (write it again)"
      )
    }))

  it.scopedLive("a row whose blob the listings cannot decode is Corrupt, naming the table and the row, of every kind", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* goodFile(dir)
      // What export and resources refused as damaged, verify passed: its checks read no blob.
      const refusals = yield* Effect.forEach(
        ["v1_resource_types", "v1_resources", "v1_entitlements", "v1_grants"],
        (table) =>
          Effect.gen(function*() {
            const { edited: rowId, path } = yield* craftedWith(dir, table, (db) => {
              const id = (db.prepare(`SELECT min(id) AS id FROM ${table}`).get() as { id: number }).id
              db.prepare(`UPDATE ${table} SET data = ? WHERE id = ?`).run(Buffer.from([0xde, 0xad, 0xbe, 0xef]), id)
              return id
            })
            const error = yield* Effect.flip(verifyC1z(path))
            return [error._tag, error.message.replace(`${path}: `, ""), rowId] as const
          })
      )
      assert.deepStrictEqual(refusals.map(([tag, message, rowId]) => [tag, message.replace(`row ${rowId}:`, "row N:")]), [
        ["Corrupt", "the .c1z is damaged: v1_resource_types row N: premature EOF (write it again)"],
        ["Corrupt", "the .c1z is damaged: v1_resources row N: premature EOF (write it again)"],
        ["Corrupt", "the .c1z is damaged: v1_entitlements row N: premature EOF (write it again)"],
        ["Corrupt", "the .c1z is damaged: v1_grants row N: premature EOF (write it again)"]
      ])
    }))
})
