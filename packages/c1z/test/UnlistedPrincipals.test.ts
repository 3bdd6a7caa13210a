import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { join } from "node:path"
import type { SyncRow } from "@baton-fivetran/connector-core"
import { openC1z, writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { openRaw } from "./RawFile.js"
import { tempDir } from "./TempDir.js"

/**
 * baton's grant listings (baton-sdk v0.7.27) look every grant's principal up among the resources and
 * fail on the first they cannot find: the writer leaves such grants out and says which.
 */

/** The fixtures without bob's resource: bob is in the team, and manages the warehouse through it. */
const withoutBob: ReadonlyArray<SyncRow> = F.syncRows.filter((row) => !(row._tag === "ResourceRow" && row.value === F.bob))

const idsOf = <A extends { readonly id: string }>(stream: Stream.Stream<{ readonly value: A }, unknown>) =>
  Stream.runCollect(stream).pipe(Effect.map((all) => Chunk.toArray(all).map(({ value }) => value.id)))

describe("grants whose principal is not among the resources", () => {
  it.scoped("are left out of the file and returned; the other grants and the counts are the file's", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = join(dir, "sync.c1z")
      const result = yield* writeC1z(path, Stream.fromIterable(withoutBob), F.everyAnnotation)
      assert.deepStrictEqual(result.leftOut, [F.bobInTeam, F.bobManagesWarehouse])
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

  it.scoped("a file whose every principal is a resource loses nothing", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const result = yield* writeC1z(join(dir, "sync.c1z"), Stream.fromIterable(F.syncRows), F.everyAnnotation)
      assert.deepStrictEqual([result.leftOut, result.counts.grants], [[], F.grants.length])
    }))
})
