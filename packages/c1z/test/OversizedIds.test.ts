import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { openC1z, verifyC1z } from "../src/index.js"
import { craftedFixtures } from "./CraftedFile.js"
import * as F from "./fixtures.js"

/**
 * A row's text id over 4 KiB (baton-sdk takes each of an id's parts in at most 1,024 bytes, a
 * grant's three at most 3,074): refused from its size, naming the table, the row and the limit,
 * before SQLite hands it over; a crafted multi-megabyte id was read whole. One of exactly 4 KiB reads.
 */

const limit = 4 * 1024

/** The fixtures' file with alice's first grant's `column` set to `value`; that grant's row id. */
const edited = (name: string, column: string, value: string) =>
  Effect.map(
    craftedFixtures(name, (db) => {
      const rowId = db.prepare("SELECT id FROM v1_grants WHERE external_id = ?").pluck().get(F.aliceIsAdmin.id) as number
      db.prepare(`UPDATE v1_grants SET ${column} = ? WHERE id = ?`).run(value, rowId)
      return rowId
    }),
    ({ edited: rowId, path }) => ({ path, rowId })
  )

const refusal = (path: string, where: string, column: string, bytes: number) =>
  `${path}: the .c1z is damaged: ${where}: its ${column} is ${bytes} bytes, more than 4096 bytes (4 KiB), the most the ` +
  "reader takes in an id, as baton-sdk takes at most 1,024 bytes in each of an id's parts (write it again)"

const collected = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toArray)

describe("a .c1z row whose id is over 4 KiB", () => {
  it.scopedLive("a grant's 5 MB external_id is Corrupt in its listings and in verify, unread", () =>
    Effect.gen(function*() {
      const { path, rowId } = yield* edited("external", "external_id", "x".repeat(5_000_000))
      const reader = yield* openC1z(path)
      const errors = yield* Effect.forEach(
        [
          Effect.asVoid(collected(reader.grants())),
          Effect.asVoid(collected(reader.sorted.grants())),
          Effect.asVoid(collected(reader.sorted.grantsOf(F.alice.id))),
          Effect.asVoid(verifyC1z(path))
        ],
        (read) => Effect.flip(read)
      )
      const expected = refusal(path, `v1_grants row ${rowId}`, "external_id", 5_000_000)
      assert.deepStrictEqual(errors.map((error) => [error._tag, error.message]), [
        ["Corrupt", expected],
        ["Corrupt", expected],
        ["Corrupt", expected],
        ["Corrupt", expected]
      ])
    }))

  it.scopedLive("a grant's entitlement_id over the limit is Corrupt in its principal's listing, which pages by it", () =>
    Effect.gen(function*() {
      const { path, rowId } = yield* edited("entitlement", "entitlement_id", "e".repeat(limit + 1))
      const reader = yield* openC1z(path)
      const error = yield* Effect.flip(collected(reader.sorted.grantsOf(F.alice.id)))
      assert.deepStrictEqual([error._tag, error.message], [
        "Corrupt",
        refusal(path, `v1_grants row ${rowId}`, "entitlement_id", limit + 1)
      ])
    }))

  it.scopedLive("a principal id over the limit is Corrupt where the principals without a resource are listed", () =>
    Effect.gen(function*() {
      const { path } = yield* edited("principal", "principal_resource_id", "p".repeat(limit + 1))
      const reader = yield* openC1z(path)
      const error = yield* Effect.flip(reader.sorted.principalsWithoutResource("user"))
      assert.deepStrictEqual([error._tag, error.message], [
        "Corrupt",
        refusal(path, "v1_grants (a grant of a user the sync does not hold)", "principal_resource_id", limit + 1)
      ])
    }))

  it.scopedLive("a sync run's sync_id over the limit is Corrupt at the open", () =>
    Effect.gen(function*() {
      const { path } = yield* craftedFixtures(
        "sync-id",
        (db) => db.prepare("UPDATE v1_sync_runs SET sync_id = ?").run("s".repeat(5_000_000))
      )
      const error = yield* Effect.flip(openC1z(path))
      assert.deepStrictEqual([error._tag, error.message], [
        "Corrupt",
        refusal(path, "v1_sync_runs row 1", "sync_id", 5_000_000)
      ])
    }))

  it.scopedLive("an external_id of exactly 4 KiB reads as before", () =>
    Effect.gen(function*() {
      const id = "y".repeat(limit)
      const { path } = yield* edited("at-limit", "external_id", id)
      const reader = yield* openC1z(path)
      const keys = (yield* collected(reader.sorted.grants())).map((row) => row.key)
      assert.deepStrictEqual([keys.length, keys.includes(id)], [F.grants.length, true])
    }))
})
