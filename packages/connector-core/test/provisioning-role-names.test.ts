import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Provisioner, type ProvisioningError } from "../src/index.js"
import { account, logged, provisioningLayer, state, writesIn } from "./support/ProvisioningFixture.js"

/**
 * A role named as an admin types it from memory (another case, doubled spaces): roles are matched
 * exactly, as Fivetran matches them, and the refusal names the role meant. Against the sandbox over
 * loopback (support/ProvisioningFixture.ts's account, with the custom ACCOUNT role "Data Steward").
 */

const refusal = <A>(action: (p: Provisioner["Type"]) => Effect.Effect<A, ProvisioningError>) =>
  logged(Effect.flip(Effect.flatMap(Provisioner, action)))

const AccountRoles = `valid ACCOUNT roles: "Account Administrator", "Account Billing", "Account Analyst", "Account Reviewer", ` +
  `"Destination Creator", "Data Steward"`

describe("a role name written otherwise than the role's", () => {
  it.live("is UnknownRole naming the role meant, for an invitation, a grant and a revoke; nothing is written", () =>
    Effect.gen(function*() {
      const invited = yield* refusal((p) =>
        p.createAccount({ email: "new@example.com", given_name: "New", family_name: "Hire", role: "account reviewer" })
      )
      assert.strictEqual(invited.result._tag, "UnknownRole")
      assert.strictEqual(
        invited.result.message,
        `role of the new account new@example.com: "account reviewer" is not a role of this account; ` +
          `did you mean "Account Reviewer"? (role names are matched exactly, case included); ${AccountRoles}`
      )

      const custom = yield* refusal((p) => p.grant("role:DATA STEWARD:assigned", { type: "user", id: "ben" }))
      assert.strictEqual(
        custom.result.message,
        `role:DATA STEWARD:assigned: "DATA STEWARD" is not a role of this account; ` +
          `did you mean "Data Steward"? (role names are matched exactly, case included); ${AccountRoles}`
      )

      const spaced = yield* refusal((p) => p.revoke("group:g_main:view  destination:user:ana"))
      assert.strictEqual(spaced.result._tag, "UnknownRole")
      assert.include(
        spaced.result.message,
        `"view  destination" is not a role of this account; did you mean "View Destination"? (role names are matched exactly, case included); valid DESTINATION roles: `
      )

      const team = yield* refusal((p) => p.grant("team:t_eng:team manager", { type: "user", id: "ana" }))
      assert.include(team.result.message, `did you mean "Team Manager"?`)

      assert.deepStrictEqual(writesIn([...invited.requests, ...custom.requests, ...spaced.requests, ...team.requests]), [])
      assert.strictEqual((yield* state.userIds).length, account.users.length)
      assert.strictEqual(yield* state.userRole("ben"), null)
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a name no role is close to gets no guess", () =>
    Effect.gen(function*() {
      const wizard = yield* refusal((p) => p.grant("role:Wizard:assigned", { type: "user", id: "ben" }))
      assert.strictEqual(wizard.result.message, `role:Wizard:assigned: "Wizard" is not a role of this account; ${AccountRoles}`)
    }).pipe(Effect.provide(provisioningLayer())))
})
