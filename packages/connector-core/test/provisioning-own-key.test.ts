import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Provisioner } from "../src/index.js"
import { account, logged, provisioningLayer, state, writesIn } from "./support/ProvisioningFixture.js"

/**
 * The connector run with a user's API key, whose user is an Account Administrator beside another
 * one (so Fivetran's last-administrator rule does not refuse first). Revoking that user's role, or
 * granting it a lesser one, went through: the key then acted with the lesser role, and every later
 * grant and sync read failed 403, named as a missing permission of the key. Deleting that user was
 * already refused.
 */

const ownersKey = { _tag: "UserKey", key: "sandbox_key_admin", secret: "admin-secret", user_id: "admin" } as const

const twoAdministrators = {
  ...account,
  users: account.users.map((user) => user.id === "dee" ? { ...user, role: "Account Administrator" } : user),
  credentials: [ownersKey]
}

const layer = provisioningLayer({ snapshot: twoAdministrators, credential: ownersKey })

const refusal = (action: string) =>
  `cannot ${action}: user:admin is the user whose API key this connector uses, and this takes Account Administrator ` +
  "from it, after which the key may no longer provision (it acts with its user's role); change its role with another administrator's key or a system key"

describe("the user whose API key the connector uses", () => {
  it.live("keeps Account Administrator: a revoke or a lesser role is Conflict, and nothing is written", () =>
    Effect.gen(function*() {
      const revoked = yield* logged(
        Effect.flip(Effect.flatMap(Provisioner, (p) => p.revoke("role:Account Administrator:assigned:user:admin")))
      )
      const demoted = yield* logged(
        Effect.flip(Effect.flatMap(Provisioner, (p) => p.grant("role:Account Reviewer:assigned", { type: "user", id: "admin" })))
      )
      assert.deepStrictEqual([revoked.result._tag, revoked.result.message, demoted.result._tag, demoted.result.message], [
        "Conflict",
        refusal("revoke role:Account Administrator:assigned:user:admin"),
        "Conflict",
        refusal("grant role:Account Reviewer:assigned to user:admin")
      ])
      assert.deepStrictEqual([...writesIn(revoked.requests), ...writesIn(demoted.requests)], [])
      assert.strictEqual(yield* state.userRole("admin"), "Account Administrator")
    }).pipe(Effect.provide(layer)))

  it.live("another administrator is demoted with the same key as before", () =>
    Effect.gen(function*() {
      const demoted = yield* Effect.flatMap(Provisioner, (p) => p.grant("role:Account Reviewer:assigned", { type: "user", id: "dee" }))
      assert.strictEqual(demoted._tag, "Granted")
      assert.strictEqual(yield* state.userRole("dee"), "Account Reviewer")
      // Granting the key's own user Account Administrator again, which it holds, changes nothing and reads no account.
      const kept = yield* logged(
        Effect.flatMap(Provisioner, (p) => p.grant("role:Account Administrator:assigned", { type: "user", id: "admin" }))
      )
      assert.strictEqual(kept.result._tag, "AlreadyExists")
      assert.isFalse(kept.requests.includes("GET /v1/account/info"))
    }).pipe(Effect.provide(layer)))
})
