import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Provisioner } from "../src/index.js"
import { account, logged, provisioningLayer, state } from "./support/ProvisioningFixture.js"

/**
 * Provisioning the day after Fivetran adds a role scope or a user type. Every grant reads
 * `GET /v1/roles` and every account creation `GET /v1/users`: one role of a new scope, or one user of
 * a new type, refused them all (an Upstream failure) until a release. The sandbox serves the
 * fixture account with such a role and such a user.
 */

const tomorrow = {
  ...account,
  roles: [
    ...account.roles.map((role) => role.name === "Account Analyst" ? { ...role, scope: ["ACCOUNT", "ORGANIZATION"] } : role),
    {
      name: "Organization Owner",
      description: "Owns the organization's accounts.",
      is_custom: false,
      scope: ["ORGANIZATION"],
      is_deprecated: false,
      replacement_role_name: null
    }
  ],
  users: account.users.map((user) => user.id === "dee" ? { ...user, user_type: "AGENT_ACCOUNT" } : user)
}

describe("provisioning with values Fivetran added", () => {
  it.live("grants a role of a known and a new scope, and creates an account beside a user of a new type", () =>
    Effect.gen(function*() {
      const granted = yield* logged(
        Effect.flatMap(Provisioner, (p) => p.grant("role:Account Analyst:assigned", { type: "user", id: "ben" }))
      )
      assert.deepStrictEqual(
        granted.result._tag === "Granted" ? granted.result.grants.map((grant) => grant.id) : granted.result._tag,
        ["role:Account Analyst:assigned:user:ben"]
      )
      assert.strictEqual(yield* state.userRole("ben"), "Account Analyst")

      const created = yield* logged(
        Effect.flatMap(Provisioner, (p) =>
          p.createAccount({ email: "zoe@example.com", given_name: "Zoe", family_name: "Quinn", role: "Account Reviewer" }))
      )
      assert.deepStrictEqual(created.requests, ["GET /v1/roles", "GET /v1/users", "POST /v1/users"])
      assert.strictEqual(created.result._tag, "Created")
      assert.deepStrictEqual(yield* state.userIds, [
        ...account.users.map((user) =>
          user.id
        ),
        created.result.resource.id.resource
      ])

      const existing = yield* Effect.flatMap(
        Provisioner,
        (p) => p.createAccount({ email: "dee@example.com", given_name: "Dee", family_name: "Tester" })
      )
      assert.deepStrictEqual(
        existing._tag === "AlreadyExists" ? [existing.resource.id.resource, existing.resource.profile?.["user_type"]] : existing._tag,
        ["dee", "AGENT_ACCOUNT"]
      )
    }).pipe(Effect.provide(provisioningLayer({ snapshot: tomorrow }))))

  it.live("refuses a role of a new scope only as of another scope, naming it, and writes nothing", () =>
    Effect.gen(function*() {
      const { requests, result } = yield* logged(
        Effect.flip(Effect.flatMap(Provisioner, (p) => p.grant("role:Organization Owner:assigned", { type: "user", id: "ben" })))
      )
      assert.deepStrictEqual([result._tag, result.message], [
        "WrongScope",
        `role:Organization Owner:assigned: "Organization Owner" has scope "ORGANIZATION", but this needs a role of scope ACCOUNT; ` +
        `valid ACCOUNT roles: "Account Administrator", "Account Billing", "Account Analyst", "Account Reviewer", ` +
        `"Destination Creator", "Data Steward"`
      ])
      assert.deepStrictEqual(requests.filter((request) => !request.startsWith("GET ")), [])
    }).pipe(Effect.provide(provisioningLayer({ snapshot: tomorrow }))))
})
