import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Provisioner } from "../src/index.js"
import { account, provisioningLayer, state } from "./support/ProvisioningFixture.js"

/**
 * Access held under a role `GET /v1/roles` does not list (a legacy or since-removed role), which a
 * sync writes under an entitlement marked unlisted. Revoking exactly that grant was refused as
 * UnknownRole ("is not a role of this account") and the access stayed; a revoke now needs only the
 * role the principal holds, and one of such a role not held is already revoked, as a listed role's
 * is. Granting such a role is still refused, and so is revoking a typo of a listed role. The sandbox
 * serves the fixture account with four of its held roles taken out of its role list.
 */

const removed = new Set(["View Destination", "Edit Connection", "Team Manager", "Account Reviewer"])

const legacy = { ...account, roles: account.roles.filter((role) => !removed.has(role.name)) }

const revoke = (grantId: string) => Effect.flatMap(Provisioner, (p) => p.revoke(grantId))

describe("revoking access held under a role GET /v1/roles does not list", () => {
  it.live("a group, connection and account role are revoked, and the next revoke finds them gone", () =>
    Effect.gen(function*() {
      const revoked = [
        yield* revoke("group:g_main:View Destination:user:ana"),
        yield* revoke("connection:c_sf:Edit Connection:user:ana"),
        yield* revoke("role:Account Reviewer:assigned:user:ana")
      ]
      assert.deepStrictEqual(revoked, [
        { _tag: "Revoked", stillHeldThrough: [], alsoRevoked: [] },
        { _tag: "Revoked", stillHeldThrough: [], alsoRevoked: [] },
        { _tag: "Revoked", stillHeldThrough: [], alsoRevoked: [] }
      ])
      assert.deepStrictEqual(
        [yield* state.userGroup("ana", "g_main"), yield* state.userConnection("ana", "c_sf"), yield* state.userRole("ana")],
        [null, null, null]
      )
      // A repeat: held no more, already revoked, as a listed role's repeat is (before, UnknownRole, exit 2).
      assert.deepStrictEqual(yield* revoke("group:g_main:View Destination:user:ana"), {
        _tag: "AlreadyRevoked",
        detail: undefined,
        stillHeldThrough: []
      })
    }).pipe(Effect.provide(provisioningLayer({ snapshot: legacy }))))

  it.live("a team role's revoke ends the membership, and the membership's revoke names the team role it ended", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* revoke("team:t_eng:Team Manager:user:ben"), {
        _tag: "Revoked",
        stillHeldThrough: [],
        alsoRevoked: ["team:t_eng:member:user:ben"]
      })
      assert.strictEqual(yield* state.teamUser("t_eng", "ben"), null)
    }).pipe(Effect.provide(provisioningLayer({ snapshot: legacy }))))

  it.live("revoking team:T:member ends an unlisted team role too, and says so", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* revoke("team:t_eng:member:user:ben"), {
        _tag: "Revoked",
        stillHeldThrough: [],
        alsoRevoked: ["team:t_eng:Team Manager:user:ben"]
      })
    }).pipe(Effect.provide(provisioningLayer({ snapshot: legacy }))))

  it.live("granting an unlisted role, or revoking a typo of a listed one, is refused; another unlisted name is already revoked", () =>
    Effect.gen(function*() {
      const refused = [
        yield* Effect.flip(Effect.flatMap(Provisioner, (p) => p.grant("group:g_side:View Destination", { type: "user", id: "ana" }))),
        // A listed role mistyped: the revoke meant that role, so it is refused naming it.
        yield* Effect.flip(revoke("group:g_main:Manage Destinaton:user:ana"))
      ]
      assert.deepStrictEqual(refused.map((refusal) => [refusal._tag, refusal.message.split("; valid")[0]]), [
        ["UnknownRole", "group:g_side:View Destination: \"View Destination\" is not a role of this account"],
        [
          "UnknownRole",
          "group:g_main:Manage Destinaton: \"Manage Destinaton\" is not a role of this account; did you mean \"Manage Destination\"?"
        ]
      ])
      // A name near no listed role, which ana does not hold there: already revoked, naming what she holds.
      assert.deepStrictEqual(yield* revoke("group:g_main:View Destinaton:user:ana"), {
        _tag: "AlreadyRevoked",
        detail: "user:ana holds group:g_main:View Destination there instead, which this revoke leaves in place: revoke " +
          "group:g_main:View Destination:user:ana to end it",
        stillHeldThrough: [],
        heldInstead: "group:g_main:View Destination:user:ana"
      })
      assert.deepStrictEqual([yield* state.userGroup("ana", "g_side"), yield* state.userGroup("ana", "g_main")], [
        null,
        "View Destination"
      ])
    }).pipe(Effect.provide(provisioningLayer({ snapshot: legacy }))))
})
