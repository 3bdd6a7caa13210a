import type { Grant, Resource, SyncRow } from "@baton-fivetran/connector-core"
import { assert, describe, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Chunk, Effect, Stream } from "effect"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { compress, decompress } from "zstd-napi"
import { entitlementQuery, everything, grantQuery, listingIndexes, listingSql, type Query, resourceQuery } from "../src/Listing.js"
import { magic, openC1z, Tables, writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { tempDir } from "./TempDir.js"

/** 1,000 users, each a member of the fixture team: deep listings by type, entitlement and principal. */
const userCount = 1000
const user = (i: number): Resource => ({ ...F.bob, id: { resourceType: "user", resource: `u${i}` } })
const membership = (i: number): Grant => ({
  ...F.bobInTeam,
  id: `${F.teamMember.id}:user:u${i}`,
  principal: { id: user(i).id, annotations: [] }
})
const rows: ReadonlyArray<SyncRow> = [
  ...F.syncRows,
  ...Array.from({ length: userCount }, (_, i): SyncRow => ({ _tag: "ResourceRow", value: user(i) })),
  ...Array.from({ length: userCount }, (_, i): SyncRow => ({ _tag: "GrantRow", value: membership(i) }))
]

/** The working copy as the reader prepares it: the written file plus the listing indexes. */
const workingCopy = Effect.gen(function*() {
  const dir = yield* tempDir
  const c1z = join(dir, "sync.c1z")
  const result = yield* writeC1z(c1z, Stream.fromIterable(rows))
  yield* Effect.promise(async () => writeFile(join(dir, "raw.db"), decompress((await readFile(c1z)).subarray(magic.length))))
  const db = yield* Effect.acquireRelease(
    Effect.sync(() => new Database(join(dir, "raw.db"))),
    (db) => Effect.sync(() => db.close())
  )
  for (const sql of listingIndexes) db.exec(sql)
  return { db, syncId: result.syncId, c1z, dir }
})

/** Every filter combination the reader offers, with the plan each must get. */
const listings: ReadonlyArray<{ readonly name: string; readonly table: string; readonly query: Query; readonly plan: string }> = [
  {
    name: "resources",
    table: Tables.resources,
    query: everything,
    plan: "SEARCH v1_resources USING INTEGER PRIMARY KEY (rowid>?)"
  },
  {
    name: "resources by type",
    table: Tables.resources,
    query: resourceQuery({ resourceType: "user" }),
    plan: "SEARCH v1_resources USING INDEX idx_resources_resource_type_id_v1 (resource_type_id=? AND rowid>?)"
  },
  {
    name: "resources by parent",
    table: Tables.resources,
    query: resourceQuery({ parent: F.warehouse.id }),
    plan:
      "SEARCH v1_resources USING INDEX idx_resources_parent_resource_id_v1 (parent_resource_type_id=? AND parent_resource_id=? AND rowid>?)"
  },
  {
    name: "resources by type and parent",
    table: Tables.resources,
    query: resourceQuery({ resourceType: "connection", parent: F.warehouse.id }),
    plan: "SEARCH v1_resources USING INDEX idx_resources_resource_type_id_v1 (resource_type_id=? AND rowid>?)"
  },
  {
    name: "entitlements",
    table: Tables.entitlements,
    query: everything,
    plan: "SEARCH v1_entitlements USING INTEGER PRIMARY KEY (rowid>?)"
  },
  {
    name: "entitlements by resource",
    table: Tables.entitlements,
    query: entitlementQuery({ resource: F.warehouse.id }),
    plan: "SEARCH v1_entitlements USING INDEX idx_entitlements_resource_id_v1 (resource_type_id=? AND resource_id=? AND rowid>?)"
  },
  {
    name: "grants",
    table: Tables.grants,
    query: everything,
    plan: "SEARCH v1_grants USING INTEGER PRIMARY KEY (rowid>?)"
  },
  {
    name: "grants by entitlement",
    table: Tables.grants,
    query: grantQuery({ entitlementId: F.teamMember.id }),
    plan: "SEARCH v1_grants USING INDEX reader_grants_entitlement_id (entitlement_id=? AND rowid>?)"
  },
  {
    name: "grants by principal",
    table: Tables.grants,
    query: grantQuery({ principal: user(1).id }),
    plan: "SEARCH v1_grants USING INDEX idx_grants_principal_id_v1 (principal_resource_type_id=? AND principal_resource_id=? AND rowid>?)"
  },
  {
    name: "grants by entitlement and principal",
    table: Tables.grants,
    query: grantQuery({ entitlementId: F.teamMember.id, principal: user(1).id }),
    plan:
      "SEARCH v1_grants USING INDEX idx_grants_entitlement_id_principal_id_v1 (entitlement_id=? AND principal_resource_type_id=? AND principal_resource_id=? AND rowid>?)"
  }
]

describe("listings", () => {
  it.scopedLive("every filter is served by an index in row-id order: no table scan, no sort", () =>
    Effect.gen(function*() {
      const { db } = yield* workingCopy
      for (const listing of listings) {
        const plan = db.prepare(`EXPLAIN QUERY PLAN ${listingSql(listing.table, "id, data", listing.query)}`)
          .all("sync", ...listing.query.params, 0, 100) as ReadonlyArray<{ detail: string }>
        assert.deepStrictEqual(plan.map((step) => step.detail), [listing.plan], listing.name)
      }
    }))

  it.scopedLive("the last page visits as many rows as the first (keyset paging)", () =>
    Effect.gen(function*() {
      const { db, syncId } = yield* workingCopy
      // Counts the rows the query reaches after its index seek (a function call per candidate row).
      let visited = 0
      db.function("visit", { varargs: true }, () => {
        visited++
        return 1
      })
      const deep = [
        { table: Tables.resources, query: resourceQuery({ resourceType: "user" }) },
        { table: Tables.grants, query: everything },
        { table: Tables.grants, query: grantQuery({ entitlementId: F.teamMember.id }) }
      ]
      for (const { query, table } of deep) {
        const ids = (db.prepare(`SELECT id FROM ${table} WHERE ${["sync_id = ?", ...query.where].join(" AND ")} ORDER BY id`)
          .all(syncId, ...query.params) as ReadonlyArray<{ id: number }>).map((row) => row.id)
        assert.isAtLeast(ids.length, userCount)
        const counted = listingSql(table, "id", { where: [...query.where, "visit(id) = 1"], params: query.params })
        const page = (after: number) => {
          visited = 0
          const got = (db.prepare(counted).all(syncId, ...query.params, after, 100) as ReadonlyArray<{ id: number }>)
            .map((row) => row.id)
          return { got, visited }
        }
        const first = page(0)
        const last = page(ids.at(-101)!)
        assert.deepStrictEqual(first, { got: ids.slice(0, 100), visited: 100 }, table)
        assert.deepStrictEqual(last, { got: ids.slice(-100), visited: 100 }, table)
      }
    }))

  it.scopedLive("the reader's last page holds exactly the remaining rows, and a limited page stops there", () =>
    Effect.gen(function*() {
      const { c1z } = yield* workingCopy
      const reader = yield* openC1z(c1z)
      const all = Chunk.toArray(yield* Stream.runCollect(reader.grants({ entitlementId: F.teamMember.id })))
      assert.strictEqual(all.length, userCount + 1)
      const last = Chunk.toArray(
        yield* Stream.runCollect(reader.grants({ entitlementId: F.teamMember.id, afterRowId: all.at(-4)!.rowId, limit: 101 }))
      )
      assert.deepStrictEqual(last.map((row) => row.value.id), all.slice(-3).map((row) => row.value.id))
      const limited = Chunk.toArray(yield* Stream.runCollect(reader.resources({ resourceType: "user", limit: 101 })))
      assert.deepStrictEqual(
        limited.map((row) => row.value.id.resource),
        ["u_alice", "u_bob", ...Array.from({ length: 99 }, (_, i) => `u${i}`)]
      )
    }))

  it.scopedLive("a page reads and decodes only its own rows: a damaged row just past it does not matter", () =>
    Effect.gen(function*() {
      const { dir } = yield* workingCopy
      const raw = join(dir, "raw.db")
      const damaged = new Database(raw)
      const ids = (damaged.prepare(`SELECT id FROM ${Tables.grants} ORDER BY id`).all() as ReadonlyArray<{ id: number }>)
        .map((row) => row.id)
      damaged.prepare(`UPDATE ${Tables.grants} SET data = x'ff' WHERE id = ?`).run(ids[100])
      damaged.close()
      const c1z = join(dir, "damaged.c1z")
      yield* Effect.promise(async () => writeFile(c1z, Buffer.concat([magic, compress(await readFile(raw))])))
      const reader = yield* openC1z(c1z)
      const page = yield* Stream.runCollect(reader.grants({ limit: 100 }))
      assert.strictEqual(page.length, 100)
      const error = yield* Effect.flip(Stream.runCollect(reader.grants({ limit: 101 })))
      assert.strictEqual(error._tag, "Corrupt")
    }))
})
