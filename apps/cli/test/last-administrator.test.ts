import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * Fivetran refuses (409) to remove or change the role of an account's last Account Administrator.
 * The CLI passed on its answer, which says what it refuses but not what to do; the admin read
 * "the account must keep one" and had to work out the way on. The error now ends with it: grant
 * the role to another user first, then run the command again; for a delete of that user too. Exit
 * 1, nothing changed.
 */

const admins = smallAccount.users.filter((user) => user.role === "Account Administrator")
const admin = admins[0]!
const fivetran = `conflicts with the current state (409 Conflict): User '${admin.id}' is the last Account Administrator; ` +
  "the account must keep one"
const nextStep = "grant role:Account Administrator:assigned to another user first (an account keeps at least one " +
  "Account Administrator), then run this again"

const refusal = (...args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const { flags } = yield* connectionFlags
    const result = yield* runCli([...flags, "-p", ...args, "--log-format", "json"])
    assertExit(result, 1)
    assert.strictEqual(result.stdout, "")
    const snapshot = yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.snapshot)
    assert.strictEqual(snapshot.users.find((user) => user.id === admin.id)?.role, "Account Administrator")
    return logFields(result.stderr).filter((line) => line["level"] === "error")
  })

describe("the account's last Account Administrator", () => {
  it.scopedLive("a revoke of its role says to grant the role to another user first", () =>
    Effect.gen(function*() {
      assert.strictEqual(admins.length, 1)
      const grantId = `role:Account Administrator:assigned:user:${admin.id}`
      assert.deepStrictEqual(yield* refusal("--revoke-grant", grantId), [{
        level: "error",
        msg: `cannot revoke ${grantId}: DELETE /v1/users/${admin.id}/role: ${fivetran}; ${nextStep}`,
        exit_code: 1
      }])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a grant of another account role, which would replace it, says the same", () =>
    Effect.gen(function*() {
      const entitlementId = "role:Account Reviewer:assigned"
      const errors = yield* refusal(
        "--grant-entitlement",
        entitlementId,
        "--grant-principal",
        admin.id,
        "--grant-principal-type",
        "user"
      )
      assert.deepStrictEqual(errors, [{
        level: "error",
        msg: `cannot grant ${entitlementId} to user:${admin.id}: PATCH /v1/users/${admin.id}: ${fivetran}; ${nextStep}`,
        exit_code: 1
      }])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a delete of the user says the same", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* refusal("--delete-resource", admin.id, "--delete-resource-type", "user"), [{
        level: "error",
        msg: `cannot delete user:${admin.id}: DELETE /v1/users/${admin.id}: ${fivetran}; ${nextStep}`,
        exit_code: 1
      }])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))
})
