import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { join } from "node:path"
import type { SyncRow } from "@baton-fivetran/connector-core"
import { openC1z, writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { openRaw } from "./RawFile.js"
import { tempDir } from "./TempDir.js"

/**
 * The `baton` CLI (baton-sdk v0.7.27) looks a resource's parent and a grant's entitlement and
 * principal up by id and fails on the first it cannot find: the writer leaves such rows out and
 * says which.
 */

/** The fixtures without bob's resource: bob is in the team, and manages the warehouse through it. */
const withoutBob: ReadonlyArray<SyncRow> = F.syncRows.filter((row) => !(row._tag === "ResourceRow" && row.value === F.bob))

/** The fixtures without the warehouse group, the salesforce connection's parent. */
const withoutWarehouse: ReadonlyArray<SyncRow> = F.syncRows.filter((row) => !(row._tag === "ResourceRow" && row.value === F.warehouse))

const idsOf = <A extends { readonly id: string }>(stream: Stream.Stream<{ readonly value: A }, unknown>) =>
  Stream.runCollect(stream).pipe(Effect.map((all) => Chunk.toArray(all).map(({ value }) => value.id)))

describe("rows naming what the sync does not hold", () => {
  it.scopedLive("a grant whose principal is not a resource is left out and returned; the counts are the file's", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = join(dir, "sync.c1z")
      const result = yield* writeC1z(path, Stream.fromIterable(withoutBob), F.everyAnnotation)
      assert.deepStrictEqual(result.leftOut, { resources: [], entitlements: [], grants: [F.bobInTeam, F.bobManagesWarehouse] })
      assert.deepStrictEqual(result.counts, { resourceTypes: 5, resources: 5, entitlements: 4, grants: 4 })

      const reader = yield* openC1z(path)
      assert.deepStrictEqual(yield* idsOf(reader.grants()), [
        F.aliceIsAdmin.id,
        F.teamManagesWarehouse.id,
        F.aliceReviews.id,
        F.teamReviews.id
      ])
      // The rows baton reads, principal columns included: none names bob.
      const { db } = yield* openRaw(path, join(dir, "raw.db"))
      assert.deepStrictEqual(
        db.prepare("SELECT DISTINCT principal_resource_type_id || ':' || principal_resource_id AS p FROM v1_grants ORDER BY p").all(),
        [{ p: "team:t_analysts" }, { p: "user:u_alice" }]
      )
    }))

  it.scopedLive("a resource whose parent is missing is left out with its entitlements and their grants", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = join(dir, "sync.c1z")
      const result = yield* writeC1z(path, Stream.fromIterable(withoutWarehouse), F.everyAnnotation)
      // The warehouse's own entitlement and grants go too: its entitlement names it.
      assert.deepStrictEqual(result.leftOut, {
        resources: [F.salesforce],
        entitlements: [F.destinationManager, F.connectionReviewer],
        grants: [F.teamManagesWarehouse, F.bobManagesWarehouse, F.aliceReviews, F.teamReviews]
      })
      assert.deepStrictEqual(result.counts, { resourceTypes: 5, resources: 4, entitlements: 2, grants: 2 })

      const reader = yield* openC1z(path)
      assert.deepStrictEqual(yield* idsOf(reader.entitlements()), [F.adminAssigned.id, F.teamMember.id])
      assert.deepStrictEqual(yield* idsOf(reader.grants()), [F.aliceIsAdmin.id, F.bobInTeam.id])
      const { db } = yield* openRaw(path, join(dir, "raw.db"))
      assert.deepStrictEqual(db.prepare("SELECT external_id FROM v1_resources ORDER BY id").all(), [
        { external_id: "user:u_alice" },
        { external_id: "user:u_bob" },
        { external_id: "role:Account Administrator" },
        { external_id: "team:t_analysts" }
      ])
    }))

  it.scopedLive("a file whose every reference is held loses nothing", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const result = yield* writeC1z(join(dir, "sync.c1z"), Stream.fromIterable(F.syncRows), F.everyAnnotation)
      assert.deepStrictEqual([result.leftOut, result.counts.grants], [{ resources: [], entitlements: [], grants: [] }, F.grants.length])
    }))
})
