import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { join } from "node:path"
import type { Grant, Resource, SyncRow } from "@baton-fivetran/connector-core"
import { openC1z, writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { openRaw } from "./RawFile.js"
import { tempDir } from "./TempDir.js"

/**
 * Rows are appended during the load and repeats resolved afterwards; the file must be the one the
 * SDK's per-row upsert on (external_id, sync_id) gives: first position, last write, no id gaps.
 */

const grant = (value: Grant): SyncRow => ({ _tag: "GrantRow", value })
const resource = (value: Resource): SyncRow => ({ _tag: "ResourceRow", value })

const aliceAdminDirect: Grant = { ...F.aliceIsAdmin, sources: { [F.adminAssigned.id]: { isDirect: true } } }
const aliceAdminLast: Grant = { ...F.aliceIsAdmin, sources: { [F.adminAssigned.id]: { isDirect: false } } }
const bobInTeamAgain: Grant = { ...F.bobInTeam, annotations: [{ _tag: "GrantImmutable", sourceId: "scim" }] }
const teamNoLongerExpandable: Grant = { ...F.teamManagesWarehouse, annotations: [] }
const aliceRenamed: Resource = { ...F.alice, displayName: "Alice Renamed" }

/** Repeats within one batch and across batches (batchSize 3), with new rows between and after them. */
const rows: ReadonlyArray<SyncRow> = [
  ...F.syncRows.filter((row) => row._tag !== "GrantRow" && row._tag !== "ResourceRow"),
  ...F.resources.map(resource),
  resource(aliceRenamed),
  grant(F.aliceIsAdmin),
  grant(F.bobInTeam),
  grant(aliceAdminDirect),
  grant(F.teamManagesWarehouse),
  grant(bobInTeamAgain),
  grant(F.bobManagesWarehouse),
  grant(teamNoLongerExpandable),
  grant(aliceAdminLast),
  grant(F.aliceReviews),
  grant(F.teamReviews)
]

const rowsOf = <A>(stream: Stream.Stream<{ readonly rowId: number; readonly value: A }, unknown>) =>
  Stream.runCollect(stream).pipe(Effect.map((all) => Chunk.toArray(all).map(({ rowId, value }) => [rowId, value])))

describe("a repeated id within a sync", () => {
  it.scopedLive("keeps its first row position and its last write, and later rows' ids close up", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = join(dir, "sync.c1z")
      const result = yield* writeC1z(path, Stream.fromIterable(rows), { batchSize: 3, ...F.everyAnnotation })
      assert.deepStrictEqual(result.counts, { resourceTypes: 5, resources: 6, entitlements: 4, grants: 6 })

      const reader = yield* openC1z(path)
      assert.deepStrictEqual(yield* rowsOf(reader.grants()), [
        [1, aliceAdminLast],
        [2, bobInTeamAgain],
        [3, teamNoLongerExpandable],
        [4, F.bobManagesWarehouse],
        [5, F.aliceReviews],
        [6, F.teamReviews]
      ])
      assert.deepStrictEqual(yield* rowsOf(reader.resources()), [aliceRenamed, ...F.resources.slice(1)].map((r, i) => [i + 1, r]))
    }))

  it.scopedLive("leaves the columns of the last write, the unique index and nothing of the resolution", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = join(dir, "sync.c1z")
      yield* writeC1z(path, Stream.fromIterable(rows), { batchSize: 3, ...F.everyAnnotation })
      const { db } = yield* openRaw(path, join(dir, "alone.db"))
      assert.deepStrictEqual(
        db.prepare(`SELECT id, external_id, expansion IS NULL AS plain, needs_expansion FROM v1_grants ORDER BY id`).all(),
        [
          { id: 1, external_id: F.aliceIsAdmin.id, plain: 1, needs_expansion: 0 },
          { id: 2, external_id: F.bobInTeam.id, plain: 1, needs_expansion: 0 },
          { id: 3, external_id: F.teamManagesWarehouse.id, plain: 1, needs_expansion: 0 },
          { id: 4, external_id: F.bobManagesWarehouse.id, plain: 1, needs_expansion: 0 },
          { id: 5, external_id: F.aliceReviews.id, plain: 1, needs_expansion: 0 },
          { id: 6, external_id: F.teamReviews.id, plain: 0, needs_expansion: 1 }
        ]
      )
      assert.deepStrictEqual(
        db.prepare(`SELECT name FROM sqlite_master WHERE tbl_name = 'v1_grants' AND type = 'index' ORDER BY name`).all(),
        [
          { name: "idx_grants_entitlement_id_principal_id_v1" },
          { name: "idx_grants_external_sync_v1" },
          { name: "idx_grants_principal_id_v1" },
          { name: "idx_grants_resource_type_id_resource_id_v1" },
          { name: "idx_grants_sync_expansion_v1" },
          { name: "idx_grants_sync_needs_expansion_v1" }
        ]
      )
      assert.strictEqual(db.pragma("integrity_check", { simple: true }), "ok")
    }))
})
