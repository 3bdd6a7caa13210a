import { type AccountSnapshot, generatePreset } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { harness, Harness, runSync, TestToken } from "./Harness.js"

/**
 * The diff's grant items say their principal's status in the sync they come from: a user who
 * gained a destination role while suspended cannot use it, and one who lost a role had it while
 * active. Fivetran's API suspends no one, so the later account is a second sandbox, served by a
 * service restarted over the same data directory (its first sync kept there).
 */

const before = generatePreset("small")

/** Antonio suspended and given View Destination on logistics_latam; Samir suspended and taken off events_archive. */
const later: AccountSnapshot = {
  ...before,
  users: before.users.map((user) => user.id === "bashful_jaguar" || user.id === "plain_quail" ? { ...user, active: false } : user),
  user_groups: [
    ...before.user_groups.filter((membership) => !(membership.user_id === "plain_quail" && membership.group_id === "trusty_inlet")),
    { user_id: "bashful_jaguar", group_id: "formal_birch", role: "View Destination", created_at: "2026-12-01T00:00:00.000000Z" }
  ]
}

describe("the diff's principal status", () => {
  it.scopedLive(
    "an added grant's principal is as the newer sync has it, a removed one's as the older had it",
    () =>
      Effect.gen(function*() {
        const dataDir = yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-http-diff-" }))
        const first = yield* runSync.pipe(Effect.provide(harness({ snapshot: before, dataDir })))
        yield* Effect.gen(function*() {
          const { client, request } = yield* Harness
          const second = yield* runSync
          const diff = yield* Effect.orDie(client.review.diff({ path: { id: second.id }, urlParams: { base: first.id } }))
          const grants = diff.items
            .filter((item) => item.kind === "grant")
            .map(({ new_sync_id: _n, new_synced_at: _na, old_sync_id: _o, old_synced_at: _oa, ...entry }) => entry)
          assert.deepStrictEqual(grants, [
            {
              change: "added",
              kind: "grant",
              id: "group:formal_birch:View Destination:user:bashful_jaguar",
              name: "Antonio Sorensen: View Destination on logistics_latam",
              entitlement: "group:formal_birch:View Destination",
              principal: "user:bashful_jaguar",
              principal_status: "disabled",
              paths: [{ via: "direct" }]
            },
            {
              change: "removed",
              kind: "grant",
              id: "group:trusty_inlet:Edit Destination:user:plain_quail",
              name: "Samir Strand: Edit Destination on events_archive",
              entitlement: "group:trusty_inlet:Edit Destination",
              principal: "user:plain_quail",
              principal_status: "enabled",
              paths: [{ via: "direct" }]
            }
          ])

          // The OpenAPI document's diff item has it, optional, after the grant's principal.
          const response = yield* request("GET", "/openapi.json", { token: TestToken })
          const document = JSON.parse(yield* Effect.orDie(response.text)) as {
            components: { schemas: Record<string, { properties: Record<string, unknown>; required: ReadonlyArray<string> }> }
          }
          const row = document.components.schemas["DiffRow"]!
          const names = Object.keys(row.properties)
          assert.deepStrictEqual(names.slice(names.indexOf("entitlement"), names.indexOf("entitlement") + 3), [
            "entitlement",
            "principal",
            "principal_status"
          ])
          assert.isFalse(row.required.includes("principal_status"))
        }).pipe(Effect.provide(harness({ snapshot: later, dataDir })))
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
