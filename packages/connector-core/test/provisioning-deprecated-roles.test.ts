import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { grantOutcomeText, Provisioner } from "../src/index.js"
import { provisioningLayer, state } from "./support/ProvisioningFixture.js"

/**
 * A role Fivetran has deprecated (`is_deprecated`, with `replacement_role_name`) is still granted, as
 * Fivetran takes it, but the outcome says so and names the replacement: before, a grant of
 * "Destination Administrator" read as any other, and an admin working towards least privilege was
 * not told the account names that access otherwise now.
 */

const ben = { type: "user", id: "ben" } as const

describe("granting a role Fivetran has deprecated", () => {
  it.live("grants it, and the outcome and its text name the replacement, on the grant and on its repeat", () =>
    Effect.gen(function*() {
      const granted = yield* Effect.flatMap(Provisioner, (p) => p.grant("group:g_main:Destination Administrator", ben))
      const again = yield* Effect.flatMap(Provisioner, (p) => p.grant("group:g_main:Destination Administrator", ben))
      assert.deepStrictEqual([granted._tag, granted.deprecatedRole, again._tag, again.deprecatedRole], [
        "Granted",
        { name: "Destination Administrator", replacement: "Manage Destination" },
        "AlreadyExists",
        { name: "Destination Administrator", replacement: "Manage Destination" }
      ])
      assert.deepStrictEqual([
        grantOutcomeText("group:g_main:Destination Administrator", ben, granted),
        grantOutcomeText("group:g_main:Destination Administrator", ben, again)
      ], [
        "granted group:g_main:Destination Administrator to user:ben; Fivetran has deprecated the role " +
        "\"Destination Administrator\": grant \"Manage Destination\" instead",
        "already exists: user:ben already holds group:g_main:Destination Administrator; Fivetran has deprecated the role " +
        "\"Destination Administrator\": grant \"Manage Destination\" instead"
      ])
      assert.strictEqual(yield* state.userGroup("ben", "g_main"), "Destination Administrator")
      // A current role says nothing of the kind.
      const current = yield* Effect.flatMap(Provisioner, (p) => p.grant("group:g_side:Manage Destination", ben))
      assert.deepStrictEqual([current._tag, current.deprecatedRole], ["Granted", undefined])
    }).pipe(Effect.provide(provisioningLayer())))
})
