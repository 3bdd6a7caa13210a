import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Provisioner, SyncEngine } from "../src/index.js"
import { collectingSink } from "./support/Harness.js"
import { logged, provisioningLayer, state, writesIn } from "./support/ProvisioningFixture.js"

/**
 * What a revoke reports beyond its own grant, against the sandbox over loopback (the account of
 * support/ProvisioningFixture.ts): the other role a principal holds in the container when the role
 * named is not it (changed since the sync), and the other grants one removal ended (a team role and
 * the team membership are one membership in Fivetran).
 */

const revoke = (grantId: string) => logged(Effect.flatMap(Provisioner, (p) => p.revoke(grantId)))

/** The grant ids the next sync lists. */
const syncedGrantIds = Effect.gen(function*() {
  const sink = yield* collectingSink
  const engine = yield* SyncEngine
  yield* engine.run({ syncConnections: true, concurrency: 2 }).pipe(Effect.provide(sink.layer))
  const rows = yield* sink.rows
  return new Set(rows.flatMap((row) => (row._tag === "GrantRow" ? [row.value.id] : [])))
}).pipe(Effect.provide(SyncEngine.layer))

describe("a revoke naming a role the principal does not hold there", () => {
  it.live("is already revoked, names the role it holds instead and leaves it in place (every container kind)", () =>
    Effect.gen(function*() {
      const cases = [
        // ana holds View Destination on g_main, Edit Connection on c_sf, and the account role Account Reviewer.
        ["group:g_main:Manage Destination:user:ana", "user:ana", "group:g_main:View Destination"],
        ["connection:c_sf:View Connection:user:ana", "user:ana", "connection:c_sf:Edit Connection"],
        ["role:Account Billing:assigned:user:ana", "user:ana", "role:Account Reviewer:assigned"],
        // cy is a Team Member of t_eng; t_eng holds Manage Destination on g_side and the account role Account Analyst.
        ["team:t_eng:Team Manager:user:cy", "user:cy", "team:t_eng:Team Member"],
        ["group:g_side:View Destination:team:t_eng", "team:t_eng", "group:g_side:Manage Destination"],
        ["role:Account Reviewer:assigned:team:t_eng", "team:t_eng", "role:Account Analyst:assigned"]
      ] as const
      for (const [grantId, principal, heldEntitlement] of cases) {
        const { requests, result } = yield* revoke(grantId)
        const heldInstead = `${heldEntitlement}:${principal}`
        assert.deepStrictEqual(result, {
          _tag: "AlreadyRevoked",
          detail: `${principal} holds ${heldEntitlement} there instead, which this revoke leaves in place: ` +
            `revoke ${heldInstead} to end it`,
          stillHeldThrough: [],
          heldInstead
        }, grantId)
        assert.deepStrictEqual(writesIn(requests), [], grantId)
      }
      assert.strictEqual(yield* state.userGroup("ana", "g_main"), "View Destination")
      assert.strictEqual(yield* state.userConnection("ana", "c_sf"), "Edit Connection")
      assert.strictEqual(yield* state.userRole("ana"), "Account Reviewer")
      assert.strictEqual(yield* state.teamUser("t_eng", "cy"), "Team Member")
      assert.strictEqual(yield* state.teamGroup("t_eng", "g_side"), "Manage Destination")
      assert.strictEqual(yield* state.teamRole("t_eng"), "Account Analyst")
    }).pipe(Effect.provide(provisioningLayer({ syncConnections: true }))))

  it.live("held instead directly and the role named through a team: both are said", () =>
    Effect.gen(function*() {
      // ben holds View Destination on g_side himself; t_eng, whose Team Manager he is, holds Manage Destination there.
      const granted = yield* logged(
        Effect.flatMap(Provisioner, (p) => p.grant("group:g_side:View Destination", { type: "user", id: "ben" }))
      )
      assert.strictEqual(granted.result._tag, "Granted")
      const { requests, result } = yield* revoke("group:g_side:Manage Destination:user:ben")
      assert.deepStrictEqual(result, {
        _tag: "AlreadyRevoked",
        detail: "user:ben holds group:g_side:View Destination there instead, which this revoke leaves in place: " +
          "revoke group:g_side:View Destination:user:ben to end it; held only through team membership " +
          "(team:t_eng:member:user:ben): revoke group:g_side:Manage Destination:team:t_eng, or remove the user from " +
          "the team, to end the access",
        stillHeldThrough: ["group:g_side:Manage Destination:team:t_eng"],
        heldInstead: "group:g_side:View Destination:user:ben"
      })
      assert.deepStrictEqual(writesIn(requests), [])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("holding nothing there, it names nothing held instead", () =>
    Effect.gen(function*() {
      // dee has no membership of g_main and no team.
      const { result } = yield* revoke("group:g_main:View Destination:user:dee")
      assert.deepStrictEqual(result, { _tag: "AlreadyRevoked", detail: undefined, stillHeldThrough: [] })
    }).pipe(Effect.provide(provisioningLayer())))
})

describe("a revoke ending a team membership", () => {
  it.live("of a team role also ends team:T:member, and the reverse; the next sync lists neither", () =>
    Effect.gen(function*() {
      // ben is t_eng's Team Manager: Fivetran has no membership without a team role, so the DELETE ends both grants.
      const role = yield* revoke("team:t_eng:Team Manager:user:ben")
      assert.deepStrictEqual(role.result, { _tag: "Revoked", stillHeldThrough: [], alsoRevoked: ["team:t_eng:member:user:ben"] })
      assert.deepStrictEqual(writesIn(role.requests), ["DELETE /v1/teams/t_eng/users/ben"])

      // cy is a Team Member of t_eng: revoking the membership ends that team role's grant too.
      const member = yield* revoke("team:t_eng:member:user:cy")
      assert.deepStrictEqual(member.result, { _tag: "Revoked", stillHeldThrough: [], alsoRevoked: ["team:t_eng:Team Member:user:cy"] })
      assert.deepStrictEqual(yield* state.teamUsers("t_eng"), {})

      const synced = yield* syncedGrantIds
      for (
        const id of [
          "team:t_eng:Team Manager:user:ben",
          "team:t_eng:member:user:ben",
          "team:t_eng:member:user:cy",
          "team:t_eng:Team Member:user:cy"
        ]
      ) assert.isFalse(synced.has(id), id)
    }).pipe(Effect.provide(provisioningLayer({ syncConnections: true }))))

  it.live("a group, connection or account role revoke ends that grant only", () =>
    Effect.gen(function*() {
      for (
        const grantId of [
          "group:g_main:View Destination:user:ana",
          "connection:c_sf:Edit Connection:user:ana",
          "role:Account Reviewer:assigned:user:dee"
        ]
      ) {
        const { result } = yield* revoke(grantId)
        assert.deepStrictEqual(result, { _tag: "Revoked", stillHeldThrough: [], alsoRevoked: [] }, grantId)
      }
    }).pipe(Effect.provide(provisioningLayer({ syncConnections: true }))))
})
