import type { Grant } from "@baton-fivetran/connector-core"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { join } from "node:path"
import { openC1z, writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { tempDir } from "./TempDir.js"

describe("grants sharing an entitlement", () => {
  it.scopedLive("decode each embedded copy exactly: equal copies are shared, differing copies stay apart", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const path = join(dir, "sync.c1z")
      // Same entitlement id, but the second copy was renamed: each grant must read back its own.
      const renamed = { ...F.teamMember, displayName: "Renamed member" }
      const grants: ReadonlyArray<Grant> = [
        F.bobInTeam,
        { ...F.bobInTeam, id: `${F.teamMember.id}:user:u_alice`, principal: { id: F.alice.id, annotations: [] } },
        {
          ...F.bobInTeam,
          id: `${F.teamMember.id}:user:u_carol`,
          entitlement: renamed,
          principal: { id: { resourceType: "user", resource: "u_carol" }, annotations: [] }
        }
      ]
      // The principals, the entitlement and its team are rows too: the writer leaves out a grant
      // whose principal or entitlement is not.
      const carol = { ...F.alice, id: { resourceType: "user", resource: "u_carol" } }
      yield* writeC1z(
        path,
        Stream.fromIterable([
          ...[F.bob, F.alice, carol, F.analysts].map((value) => ({ _tag: "ResourceRow" as const, value })),
          { _tag: "EntitlementRow" as const, value: F.teamMember },
          ...grants.map((value) => ({ _tag: "GrantRow" as const, value }))
        ])
      )
      const reader = yield* openC1z(path)
      const read = Chunk.toArray(yield* Stream.runCollect(reader.grants())).map((row) => row.value)
      assert.deepStrictEqual(read, grants)
      assert.strictEqual(read[0]!.entitlement, read[1]!.entitlement)
      assert.notStrictEqual(read[1]!.entitlement, read[2]!.entitlement)
      assert.strictEqual(read[2]!.entitlement.displayName, "Renamed member")
    }))
})
