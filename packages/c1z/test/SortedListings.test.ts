import { compareKeys, type Entitlement, type Grant, grantId, type Resource, type SyncRow } from "@baton-fivetran/connector-core"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { join } from "node:path"
import { diffReaders, openC1z, writeC1z } from "../src/index.js"
import { craftedWith } from "./CraftedFile.js"
import * as F from "./fixtures.js"
import { tempDir } from "./TempDir.js"

/**
 * Id-ordered listings across page boundaries (1,000 rows a page), with ids whose UTF-16 order
 * differs from SQLite's, started after a key, and the diff that merge-joins two of them.
 */

/** Ids mixing ASCII, U+FF21 (after the surrogates in UTF-16, before them in UTF-8) and an emoji. */
const idOf = (i: number) => ["u", "\uFF21", "\u{1F600}"][i % 3]! + String(i).padStart(5, "0")

const user = (id: string): Resource => ({ id: { resourceType: "user", resource: id }, displayName: id, annotations: [] })

const rows = (ids: ReadonlyArray<string>): ReadonlyArray<SyncRow> => [
  { _tag: "ResourceTypeRow", value: F.userType },
  { _tag: "ResourceTypeRow", value: F.teamType },
  ...ids.map((id): SyncRow => ({ _tag: "ResourceRow", value: user(id) })),
  { _tag: "ResourceRow", value: { id: { resourceType: "team", resource: "t1" }, displayName: "T", annotations: [] } }
]

const keys = <A>(stream: Stream.Stream<{ readonly key: A }, unknown>) =>
  Effect.map(Stream.runCollect(stream), (chunk) => Chunk.toReadonlyArray(chunk).map((row) => row.key))

describe("sorted listings", () => {
  it.scopedLive("list resources in code point order of their ids, over several pages, one type or all", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const ids = Array.from({ length: 2500 }, (_, i) => idOf(i))
      yield* writeC1z(join(dir, "a.c1z"), Stream.fromIterable(rows(ids)))
      const reader = yield* openC1z(join(dir, "a.c1z"))
      const expectedUsers = ids.map((id) => `user:${id}`).sort(compareKeys)
      assert.deepStrictEqual(yield* keys(reader.sorted.resources({ resourceType: "user" })), expectedUsers)
      assert.deepStrictEqual(yield* keys(reader.sorted.resources({ resourceType: "team" })), ["team:t1"])
      assert.deepStrictEqual(yield* keys(reader.sorted.resources()), ["team:t1", ...expectedUsers])
      assert.deepStrictEqual(
        yield* keys(reader.sorted.resources({ resourceType: "user", after: expectedUsers[1499] })),
        expectedUsers.slice(1500)
      )
    }))

  it.scopedLive("one entitlement's holders and one principal's grants start after a key, across pages, reading no row before it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const ids = Array.from({ length: 2500 }, (_, i) => idOf(i))
      const team: Resource = { id: { resourceType: "team", resource: "t1" }, displayName: "T", annotations: [] }
      const entitlementOf = (slug: string): Entitlement => ({
        id: `team:t1:${slug}`,
        resource: team,
        displayName: slug,
        grantableTo: [F.userType],
        purpose: "ASSIGNMENT",
        slug,
        annotations: []
      })
      const grantOf = (entitlement: Entitlement, id: string): Grant => ({
        id: grantId(entitlement.id, user(id).id),
        entitlement,
        principal: user(id),
        annotations: []
      })
      // Every user holds `member`; the first also holds 1,200 more, one of them `member:user:v`, whose
      // grant id shares `member`'s prefix (`team:t1:member:user:`) and sorts among its holders'.
      const member = entitlementOf("member")
      const held = [entitlementOf("member:user:v"), ...ids.slice(0, 1199).map((id) => entitlementOf(`e-${id}`))]
      const first = ids[0]!
      yield* writeC1z(
        join(dir, "good.c1z"),
        Stream.fromIterable<SyncRow>([
          ...rows(ids),
          ...[member, ...held].map((value): SyncRow => ({ _tag: "EntitlementRow", value })),
          ...ids.map((id): SyncRow => ({ _tag: "GrantRow", value: grantOf(member, id) })),
          ...held.map((entitlement): SyncRow => ({ _tag: "GrantRow", value: grantOf(entitlement, first) }))
        ])
      )
      const reader = yield* openC1z(join(dir, "good.c1z"))
      const holders = ids.map((id) => grantId(member.id, user(id).id)).sort(compareKeys)
      const principal = user(first).id
      const entitlementIds = [member, ...held].map((entitlement) => entitlement.id).sort(compareKeys)
      const heldIds = entitlementIds.map((id) => grantId(id, principal))
      const entitlementIdsOf = (stream: Stream.Stream<{ readonly value: Grant }, unknown>) =>
        Effect.map(Stream.runCollect(stream), (chunk) => Chunk.toReadonlyArray(chunk).map((row) => row.value.entitlement.id))

      assert.deepStrictEqual(yield* keys(reader.sorted.holdersOf(member.id)), holders)
      assert.deepStrictEqual(yield* keys(reader.sorted.holdersOf(member.id, { after: holders[1499] })), holders.slice(1500))
      assert.deepStrictEqual(yield* keys(reader.sorted.holdersOf(member.id, { after: holders[0] })), holders.slice(1))
      assert.deepStrictEqual(yield* keys(reader.sorted.holdersOf(member.id, { after: holders.at(-1) })), [])
      // A key that is no holder's (`member:user:v`'s grant) starts after its place among them.
      const other = grantId(held[0]!.id, principal)
      const place = holders.findIndex((id) => compareKeys(id, other) > 0)
      assert.strictEqual(place, 834)
      assert.deepStrictEqual(yield* keys(reader.sorted.holdersOf(member.id, { after: other })), holders.slice(place))

      assert.deepStrictEqual(yield* keys(reader.sorted.grantsOf(principal)), heldIds)
      assert.strictEqual(heldIds.length, 1201)
      assert.deepStrictEqual(yield* keys(reader.sorted.grantsOf(principal, { after: entitlementIds[1099] })), heldIds.slice(1100))
      // `member` and `member:user:v` are neighbours: a page may end between them.
      const between = entitlementIds.indexOf(member.id)
      assert.strictEqual(entitlementIds[between + 1], held[0]!.id)
      assert.deepStrictEqual(
        yield* entitlementIdsOf(reader.sorted.grantsOf(principal, { after: member.id })),
        entitlementIds.slice(between + 1)
      )

      // The first holder's row (the principal's `member`) and the principal's first grant damaged: a
      // listing from the start fails on them, one after them does not read them.
      const damaged = yield* craftedWith(
        dir,
        "damaged",
        (db) => db.prepare("UPDATE v1_grants SET data = X'FFFF' WHERE external_id IN (?, ?)").run(holders[0], heldIds[0])
      )
      assert.strictEqual(holders[0], grantId(member.id, principal))
      const crafted = yield* openC1z(damaged.path)
      assert.strictEqual((yield* Effect.flip(Stream.runDrain(crafted.sorted.holdersOf(member.id))))._tag, "Corrupt")
      assert.strictEqual((yield* Effect.flip(Stream.runDrain(crafted.sorted.grantsOf(principal))))._tag, "Corrupt")
      assert.deepStrictEqual(yield* keys(crafted.sorted.holdersOf(member.id, { after: holders[0] })), holders.slice(1))
      assert.deepStrictEqual(yield* keys(crafted.sorted.grantsOf(principal, { after: member.id })), heldIds.slice(between + 1))

      // Rows tied on the order column across the 1,000-row page end (baton writes none; a crafted
      // file can): the principal's 1,001st grant filed under its 1,000th's entitlement id, the
      // 1,001st holder's grant id made the 1,000th's. Each row is listed once, the tied ones by row
      // id (the principal's grants were written `member` first, then `held` in order).
      const tied = yield* craftedWith(dir, "tied", (db) => {
        db.prepare("UPDATE v1_grants SET entitlement_id = ? WHERE external_id = ?").run(entitlementIds[999], heldIds[1000])
        db.exec("DROP INDEX idx_grants_external_sync_v1")
        db.prepare("UPDATE v1_grants SET external_id = ? WHERE external_id = ?").run(holders[999], holders[1000])
      })
      const tiedReader = yield* openC1z(tied.path)
      const written = [member, ...held].map((entitlement) => grantId(entitlement.id, principal))
      const pair = heldIds.slice(999, 1001).sort((a, b) => written.indexOf(a) - written.indexOf(b))
      assert.deepStrictEqual(yield* keys(tiedReader.sorted.grantsOf(principal)), [
        ...heldIds.slice(0, 999),
        ...pair,
        ...heldIds.slice(1001)
      ])
      assert.deepStrictEqual(
        yield* keys(tiedReader.sorted.holdersOf(member.id)),
        [...holders.slice(0, 1000), holders[999], ...holders.slice(1001)]
      )
      // A position resumes after its row; a bare value after every row holding it.
      const firstPage = Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.take(tiedReader.sorted.grantsOf(principal), 1000)))
      const position = firstPage.at(-1)!.position
      assert.deepStrictEqual(position.cursor, entitlementIds[999])
      assert.deepStrictEqual(yield* keys(tiedReader.sorted.grantsOf(principal, { after: position })), [pair[1], ...heldIds.slice(1001)])
      assert.deepStrictEqual(yield* keys(tiedReader.sorted.grantsOf(principal, { after: position.cursor })), heldIds.slice(1001))
    }))

  it.scopedLive("the diff of two syncs names exactly the resources only one of them has, in id order", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const all = Array.from({ length: 2600 }, (_, i) => idOf(i))
      const base = all.filter((_, i) => i % 7 !== 0 && i < 2500)
      const target = all.filter((_, i) => i % 11 !== 0)
      yield* writeC1z(join(dir, "base.c1z"), Stream.fromIterable(rows(base)))
      yield* writeC1z(join(dir, "target.c1z"), Stream.fromIterable(rows(target)))
      const diff = yield* Stream.runCollect(
        diffReaders(yield* openC1z(join(dir, "base.c1z")), yield* openC1z(join(dir, "target.c1z")))
      )
      const removed = base.filter((id) => !target.includes(id))
      const added = target.filter((id) => !base.includes(id))
      const expected = [
        ...removed.map((id) => ({ change: "removed", id: `user:${id}` })),
        ...added.map((id) => ({ change: "added", id: `user:${id}` }))
      ].sort((a, b) => compareKeys(a.id, b.id))
      assert.deepStrictEqual(
        Chunk.toReadonlyArray(diff).map((entry) => ({ change: entry.change, id: entry.id })),
        expected
      )
      assert.isTrue(expected.length > 500)
    }))
})
