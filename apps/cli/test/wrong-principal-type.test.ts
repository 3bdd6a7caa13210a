import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, logFields } from "./support/CliProcess.js"
import { auditLine, grantToUser, provisioningRun } from "./support/RefusedActions.js"
import { sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * A grant id names its principal's type (`...:user:<id>`, `...:team:<id>`); typed by hand, a team's
 * id goes in as a user's, or a user's as a team's. Before, such a revoke read the principal as
 * absent and answered "already revoked: ... (user <team id> does not exist)", exit 0, while the team
 * kept the access; a grant said only "user <team id> does not exist". Both now name the principal
 * the id belongs to and the id to use, exit 2 (a refusal of the id as given), and write nothing.
 */

/** A team holding an account role, and a user holding one. */
const team = smallAccount.teams.find((candidate) => candidate.role !== null)!
const teamRole = team.role!
const user = smallAccount.users.find((candidate) => candidate.role !== null && candidate.role !== "Account Administrator")!
const userRole = user.role!
const group = smallAccount.groups[0]!

describe("a principal named with the other principal type", () => {
  it.scopedLive("a revoke of a team's grant named as a user's is refused, naming the team's grant; the team keeps it", () =>
    Effect.gen(function*() {
      const entitlementId = `role:${teamRole}:assigned`
      const grantId = `${entitlementId}:user:${team.id}`
      const { result, snapshot, writes } = yield* provisioningRun("--revoke-grant", grantId)
      assertExit(result, 2)
      assert.strictEqual(result.stdout, "")
      assert.deepStrictEqual(logFields(result.stderr), [
        auditLine({
          action: "revoke",
          grant_id: grantId,
          entitlement_id: entitlementId,
          principal_type: "user",
          principal_id: team.id,
          outcome: "unknown_principal"
        }),
        {
          level: "error",
          msg: `user ${team.id} does not exist, but team ${team.id} does: nothing was revoked; to end the team's access, ` +
            `revoke ${entitlementId}:team:${team.id}`,
          exit_code: 2
        }
      ])
      assert.deepStrictEqual(writes, [])
      assert.strictEqual(snapshot.teams.find((candidate) => candidate.id === team.id)?.role, teamRole)
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a revoke of a user's grant named as a team's is refused, naming the user's grant", () =>
    Effect.gen(function*() {
      const entitlementId = `role:${userRole}:assigned`
      const grantId = `${entitlementId}:team:${user.id}`
      const { result, snapshot, writes } = yield* provisioningRun("--revoke-grant", grantId)
      assertExit(result, 2)
      assert.strictEqual(result.stdout, "")
      assert.deepStrictEqual(logFields(result.stderr).slice(1), [
        {
          level: "error",
          msg: `team ${user.id} does not exist, but user ${user.id} does: nothing was revoked; to end the user's access, ` +
            `revoke ${entitlementId}:user:${user.id}`,
          exit_code: 2
        }
      ])
      assert.deepStrictEqual(writes, [])
      assert.strictEqual(snapshot.users.find((candidate) => candidate.id === user.id)?.role, userRole)
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a grant to a team's id given --grant-principal-type user is refused, naming the team", () =>
    Effect.gen(function*() {
      const entitlementId = `group:${group.id}:View Destination`
      const { result, writes } = yield* grantToUser(entitlementId, team.id)
      assertExit(result, 2)
      assert.strictEqual(result.stdout, "")
      assert.deepStrictEqual(logFields(result.stderr), [
        auditLine({
          action: "grant",
          entitlement_id: entitlementId,
          principal_type: "user",
          principal_id: team.id,
          outcome: "unknown_principal"
        }),
        {
          level: "error",
          msg: `user ${team.id} does not exist, but team ${team.id} does: grant ${entitlementId} to team:${team.id} instead`,
          exit_code: 2
        }
      ])
      assert.deepStrictEqual(writes, [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("an id neither a user nor a team has is still already revoked, exit 0", () =>
    Effect.gen(function*() {
      const grantId = `role:${teamRole}:assigned:user:no_such_user`
      const { result, writes } = yield* provisioningRun("--revoke-grant", grantId)
      assertExit(result, 0)
      assert.strictEqual(result.stdout, `already revoked: ${grantId} (user no_such_user does not exist)\n`)
      assert.deepStrictEqual(writes, [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))
})
