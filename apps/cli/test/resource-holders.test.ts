import { type C1zReader, openC1z, resourceHolders } from "@baton-fivetran/c1z"
import { type ResourceId, resourceRef } from "@baton-fivetran/connector-core"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { copySandboxSync } from "./support/SandboxSyncs.js"

/**
 * c1z's resourceHolders, behind the account roles' note of `access --resource` and the service's
 * holders counts: how many users and teams hold any of a resource's entitlements, each once. It
 * kept every holder in a Set (the size of the account for a role everyone holds); it now counts
 * them as the entitlements' holder lists, merged by principal, pass. Checked against that Set on
 * every role, group and team of the `medium` sandbox's sync.
 */

/** Every holder of the resource's entitlements in a Set: the count before. */
const heldBySet = (reader: C1zReader, resource: ResourceId) =>
  reader.entitlements({ resource }).pipe(
    Stream.flatMap((entitlement) => reader.sorted.holdersOf(entitlement.value.id)),
    Stream.runFold(new Set<string>(), (principals, grant) => principals.add(resourceRef(grant.value.principal))),
    Effect.map((principals) => principals.size)
  )

describe("resourceHolders", () => {
  it.scopedLive("counts each holder once, as a Set of them did, on every role, group and team", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const file = `${yield* fs.makeTempDirectoryScoped({ prefix: "baton-resource-holders-" })}/medium.c1z`
      yield* copySandboxSync(file, "medium")
      const reader = yield* Effect.orDie(openC1z(file))
      const resources = Chunk.toReadonlyArray(
        yield* Effect.orDie(Stream.runCollect(Stream.flatMap(
          Stream.make("role", "group", "team"),
          (resourceType) => reader.sorted.resources({ resourceType })
        )))
      )
      const counts = yield* Effect.orDie(
        Effect.forEach(resources, ({ value }) => Effect.all([resourceHolders(reader, value.id), heldBySet(reader, value.id)]))
      )
      const differing = resources.flatMap(({ key }, i) => counts[i]![0] === counts[i]![1] ? [] : [`${key}: ${counts[i]!.join(" vs ")}`])
      assert.deepStrictEqual(differing, [])
      // Groups hold several roles each, with holders in more than one: the merge is exercised.
      assert.isAbove(resources.filter(({ key }) => key.startsWith("group:")).length, 10)
      assert.isAbove(Math.max(...counts.map(([holders]) => holders)), 100)
    }).pipe(Effect.provide(NodeContext.layer)), 180_000)
})
