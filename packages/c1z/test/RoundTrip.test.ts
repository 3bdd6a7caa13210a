import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Option, Stream } from "effect"
import { join } from "node:path"
import { openC1z, writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { listDir, tempDir } from "./TempDir.js"

const values = <A>(stream: Stream.Stream<{ readonly value: A }, unknown>) =>
  Stream.runCollect(stream).pipe(Effect.map((rows) => Chunk.toArray(rows).map((row) => row.value)))

describe("round trip", () => {
  it.scopedLive("reads back every object deep-equal, with GrantExpandable re-attached", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = join(dir, "sync.c1z")
      const result = yield* writeC1z(path, Stream.fromIterable(F.syncRows), {
        now: new Date("2026-11-28T12:00:00.5Z"),
        ...F.everyAnnotation
      })
      assert.deepStrictEqual(result.counts, { resourceTypes: 5, resources: 6, entitlements: 4, grants: 6 })
      assert.strictEqual(result.syncId.length, 27)
      assert.deepStrictEqual(yield* listDir(dir), ["sync.c1z"])

      const reader = yield* openC1z(path)
      assert.deepStrictEqual(reader.syncRun, {
        syncId: result.syncId,
        startedAt: "2026-11-28T12:00:00.500000000Z",
        endedAt: "2026-11-28T12:00:00.500000000Z",
        type: "full"
      })
      assert.deepStrictEqual(Chunk.toArray(yield* Stream.runCollect(reader.resourceTypes)), F.resourceTypes)
      assert.deepStrictEqual(yield* values(reader.resources()), F.resources)
      assert.deepStrictEqual(yield* values(reader.entitlements()), F.entitlements)
      assert.deepStrictEqual(yield* values(reader.grants()), F.grants)
    }))

  it.scopedLive("filters by the SQL columns and pages by row id", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = join(dir, "sync.c1z")
      yield* writeC1z(path, Stream.fromIterable(F.syncRows), F.everyAnnotation)
      const reader = yield* openC1z(path)

      assert.deepStrictEqual(yield* values(reader.resources({ resourceType: "user" })), [F.alice, F.bob])
      assert.deepStrictEqual(
        yield* values(reader.resources({ parent: { resourceType: "group", resource: "g_warehouse" } })),
        [F.salesforce]
      )
      assert.deepStrictEqual(yield* values(reader.entitlements({ resource: F.warehouse.id })), [F.destinationManager])
      assert.deepStrictEqual(
        yield* values(reader.grants({ entitlementId: F.destinationManager.id })),
        [F.teamManagesWarehouse, F.bobManagesWarehouse]
      )
      assert.deepStrictEqual(yield* values(reader.grants({ principal: F.bob.id })), [F.bobInTeam, F.bobManagesWarehouse])
      assert.deepStrictEqual(
        yield* values(reader.grants({ entitlementId: F.destinationManager.id, principal: F.bob.id })),
        [F.bobManagesWarehouse]
      )

      const firstTwo = Chunk.toArray(yield* Stream.runCollect(reader.grants().pipe(Stream.take(2))))
      assert.deepStrictEqual(firstTwo.map((row) => row.value), [F.aliceIsAdmin, F.bobInTeam])
      const rest = yield* values(reader.grants({ afterRowId: firstTwo[1]!.rowId }))
      assert.deepStrictEqual(rest, F.grants.slice(2))

      assert.deepStrictEqual(yield* reader.getResource(F.salesforce.id), Option.some(F.salesforce))
      assert.deepStrictEqual(yield* reader.getResource({ resourceType: "user", resource: "nobody" }), Option.none())
      assert.deepStrictEqual(yield* reader.getEntitlement(F.teamMember.id), Option.some(F.teamMember))
      assert.deepStrictEqual(yield* reader.getGrant(F.teamReviews.id), Option.some(F.teamReviews))
      assert.deepStrictEqual(yield* reader.getGrant("no:such:grant"), Option.none())
    }))

  it.scopedLive("a grant id repeated within a sync keeps the last write", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = join(dir, "sync.c1z")
      const updated = { ...F.aliceIsAdmin, sources: { [F.adminAssigned.id]: { isDirect: true } } }
      const rows = [...F.syncRows, { _tag: "GrantRow" as const, value: updated }]
      const result = yield* writeC1z(path, Stream.fromIterable(rows), { batchSize: 4, ...F.everyAnnotation })
      assert.strictEqual(result.counts.grants, 6)
      const reader = yield* openC1z(path)
      assert.deepStrictEqual(yield* reader.getGrant(F.aliceIsAdmin.id), Option.some(updated))
      assert.deepStrictEqual((yield* values(reader.grants())).length, 6)
    }))
})
