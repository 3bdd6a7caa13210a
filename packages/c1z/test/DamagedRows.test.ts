import { assert, describe, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Chunk, Effect, Stream } from "effect"
import { openC1z, reviewRows } from "../src/index.js"
import { craftedFixtures } from "./CraftedFile.js"

/**
 * A good sync file whose database is then edited by `edit` (a hand-edited or damaged file), packed
 * again; `edit` returns the row id it damaged.
 */
const damaged = (name: string, edit: (db: Database.Database) => number) =>
  Effect.map(craftedFixtures(name, edit), ({ edited: rowId, path }) => ({ path, rowId }))

const firstRowId = (db: Database.Database, table: string) => (db.prepare(`SELECT min(id) AS id FROM ${table}`).get() as { id: number }).id

const setData = (table: string, value: unknown) => (db: Database.Database) => {
  const id = firstRowId(db, table)
  db.prepare(`UPDATE ${table} SET data = ? WHERE id = ?`).run(value, id)
  return id
}

describe("a .c1z whose rows are damaged", () => {
  it.scopedLive("a grant's data that is text, a number or not protobuf is Corrupt naming the table, the row and what it holds, in every listing", () =>
    Effect.gen(function*() {
      const cases = [
        ["text", "a grant", "its data is text, not a protobuf message"],
        ["number", 7, "its data is a number, not a protobuf message"],
        ["garbage", Buffer.from([0xff, 0xff, 0xff, 0xff, 0x01, 0x02]), "illegal tag: field no 67108863 wire type 7"]
      ] as const
      for (const [name, value, reason] of cases) {
        const { path, rowId } = yield* damaged(name, setData("v1_grants", value))
        const reader = yield* openC1z(path)
        const errors = yield* Effect.forEach(
          [Stream.runDrain(reader.grants()), Stream.runDrain(reader.sorted.grants())],
          (listing) => Effect.flip(listing)
        )
        assert.deepStrictEqual(
          errors.map((error) => [error._tag, error.message]),
          Array(2).fill(["Corrupt", `${path}: the .c1z is damaged: v1_grants row ${rowId}: ${reason} (write it again)`])
        )
      }
    }))

  it.scopedLive("a resource's or an entitlement's damaged data, and a grant's expansion that is not a blob, name theirs", () =>
    Effect.gen(function*() {
      const resource = yield* damaged("resource", setData("v1_resources", 1.5))
      const entitlement = yield* damaged("entitlement", setData("v1_entitlements", "x"))
      const expansion = yield* damaged("expansion", (db) => {
        const id = firstRowId(db, "v1_grants")
        db.prepare("UPDATE v1_grants SET expansion = 'x' WHERE id = ?").run(id)
        return id
      })
      const messages = [
        (yield* Effect.flip(Stream.runDrain((yield* openC1z(resource.path)).sorted.resources()))).message,
        (yield* Effect.flip(Stream.runDrain((yield* openC1z(entitlement.path)).entitlements()))).message,
        (yield* Effect.flip(Stream.runDrain((yield* openC1z(expansion.path)).grants()))).message
      ]
      assert.deepStrictEqual(messages, [
        `${resource.path}: the .c1z is damaged: v1_resources row ${resource.rowId}: its data is a number, not a protobuf message (write it again)`,
        `${entitlement.path}: the .c1z is damaged: v1_entitlements row ${entitlement.rowId}: its data is text, not a protobuf message (write it again)`,
        `${expansion.path}: the .c1z is damaged: v1_grants row ${expansion.rowId}: its expansion is text, not a protobuf message (write it again)`
      ])
    }))
})

describe("a .c1z granting to a principal it has no resource row of", () => {
  it.scopedLive("the review sheet still lists that access, after the principals it has, with the id the grant names", () =>
    Effect.gen(function*() {
      const rowsOf = (path: string) =>
        Effect.flatMap(openC1z(path), (reader) => Stream.runCollect(reviewRows(reader, { _tag: "All" }))).pipe(
          Effect.map(Chunk.toReadonlyArray)
        )
      const { path: good } = yield* damaged("good", () => 0)
      const { path: orphaned } = yield* damaged("orphaned", (db) => {
        db.prepare("DELETE FROM v1_resources WHERE external_id = 'user:u_alice'").run()
        return 0
      })
      const whole = yield* rowsOf(good)
      const without = yield* rowsOf(orphaned)
      const alices = whole.filter((row) => row.principal === "user:u_alice")
      assert.isAbove(alices.length, 0)
      const key = (row: { readonly principal: string; readonly entitlement: string; readonly via: string }) =>
        `${row.principal} ${row.entitlement} ${row.via}`
      assert.deepStrictEqual(without.map(key), [...whole.filter((row) => row.principal !== "user:u_alice"), ...alices].map(key))
    }))
})
