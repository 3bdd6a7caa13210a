import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { echoed, Provisioner, type ProvisioningError } from "../src/index.js"
import { logged, provisioningLayer } from "./support/ProvisioningFixture.js"

/** A 16 KB id, as a flag or a request body can carry, and how every message shows it. */
const huge = "x".repeat(16_384)
const shown = `${"x".repeat(128)}…(16384 characters)`

const refusal = <A>(action: (p: Provisioner["Type"]) => Effect.Effect<A, ProvisioningError>) =>
  Effect.map(logged(Effect.flip(Effect.flatMap(Provisioner, action))), ({ result }) => [result._tag, result.message])

describe("echoed input", () => {
  it("is the text up to 128 characters; past that its first 128 and its length, counted in characters, none split", () => {
    const emoji = "😀".repeat(129)
    assert.deepStrictEqual(
      [echoed(""), echoed("x".repeat(128)), echoed("x".repeat(129)), echoed(emoji)],
      ["", "x".repeat(128), `${"x".repeat(128)}…(129 characters)`, `${"😀".repeat(128)}…(129 characters)`]
    )
  })

  it.live("a 16 KB id in a grant, a revoke or a delete is shown cut in every refusal", () =>
    Effect.gen(function*() {
      const long = "y".repeat(200)
      const results = [
        yield* refusal((p) => p.revoke(huge)),
        yield* refusal((p) => p.grant(huge, { type: "user", id: "ana" })),
        yield* refusal((p) => p.grant(`group:g_main:${huge}`, { type: "user", id: "ana" })),
        yield* refusal((p) => p.grant(`role:${huge}:assigned`, { type: "user", id: "ana" })),
        yield* refusal((p) => p.grant(`team:t_eng:member`, { type: huge, id: "ana" })),
        yield* refusal((p) => p.deleteResource(huge, "ana")),
        yield* refusal((p) => p.grant("group:g_main:View Destination", { type: "user", id: long }))
      ]
      const DestinationRoles =
        `valid DESTINATION roles: "Manage Destination", "Edit Destination", "View Destination", "Create Connection" ` +
        `(deprecated, still taken: "Destination Administrator", "Destination Reviewer", "Destination Analyst", "Connector Creator")`
      const AccountRoles = `valid ACCOUNT roles: "Account Administrator", "Account Billing", "Account Analyst", "Account Reviewer", ` +
        `"Destination Creator", "Data Steward"`
      assert.deepStrictEqual(results, [
        [
          "InvalidId",
          `invalid grant id "${shown}": it has 0 ':' separators, a grant id at least four ` +
          "(expected <entitlement id>:<principal type>:<principal id>, e.g. group:<group id>:View Destination:user:<user id>)"
        ],
        [
          "InvalidId",
          `invalid entitlement id "${shown}": it needs at least two ':' separators (expected <type>:<id>:<slug>, e.g. group:<group id>:View Destination)`
        ],
        [
          "UnknownRole",
          `${echoed(`group:g_main:${huge}`)}: "${shown}" is not a role of this account; ${DestinationRoles}`
        ],
        ["UnknownRole", `${echoed(`role:${huge}:assigned`)}: "${shown}" is not a role of this account; ${AccountRoles}`],
        ["NotGrantable", `team:t_eng:member can be granted to user principals only, not to ${echoed(`${huge}:ana`)}`],
        [
          "InvalidId",
          `${JSON.stringify(echoed(huge))} is not a resource type of this connector; the types are user, role, group, team, ` +
          "connection (in lower case), and only users can be deleted"
        ],
        ["UnknownPrincipal", `user ${"y".repeat(128)}…(200 characters) does not exist`]
      ])
      assert.strictEqual(echoed(`group:g_main:${huge}`), `group:g_main:${"x".repeat(115)}…(16397 characters)`)
    }).pipe(Effect.provide(provisioningLayer())))
})
