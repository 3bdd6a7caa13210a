import { addSystemKey, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"
import { provisioningRun, auditLine } from "./support/RefusedActions.js"
import { sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * An entitlement id names its group, team or connection by id; typed by hand, a user's id goes in
 * its place, or a grant id's two ids are swapped (`group:<user id>:Edit Destination:user:<group id>`).
 * Before, such a revoke read the group as absent and answered "already revoked: ... (group <user id>
 * does not exist)", exit 0, while the user kept the access meant; a grant said only "group <user id>
 * does not exist". Both now say what the id is (and the id meant, when the two are swapped), exit 2,
 * and write nothing. An id nothing has is still already revoked, exit 0, also with a key that may
 * not read teams (the check's 403 leaves the absence as it was).
 */

/** A user's direct membership of a group, and a team membership of another user. */
const membership = smallAccount.user_groups[0]!
const teamMembership = smallAccount.team_users[0]!
const group = smallAccount.groups.find((candidate) => candidate.id === membership.group_id)!

/** A key that manages users and destinations but may not read teams. */
const noTeamKey = addSystemKey(smallAccount, [
  { resource_type: "ACCOUNT", access_level: "READ" },
  { resource_type: "USER", access_level: "MANAGE" },
  { resource_type: "ROLES", access_level: "READ" },
  { resource_type: "DESTINATION", access_level: "MANAGE" }
])

describe("an entitlement naming another kind's id", () => {
  it.scopedLive("a revoke with the group's and the user's ids swapped is refused, naming the grant meant; the user keeps it", () =>
    Effect.gen(function*() {
      const swapped = `group:${membership.user_id}:${membership.role}`
      const grantId = `${swapped}:user:${membership.group_id}`
      const { result, snapshot, writes } = yield* provisioningRun("--revoke-grant", grantId)
      assertExit(result, 2)
      assert.strictEqual(result.stdout, "")
      assert.deepStrictEqual(logFields(result.stderr), [
        auditLine({
          action: "revoke",
          grant_id: grantId,
          entitlement_id: swapped,
          principal_type: "user",
          principal_id: membership.group_id,
          outcome: "unknown_entitlement"
        }),
        {
          level: "error",
          msg: `group ${membership.user_id} does not exist, but user ${membership.user_id} does: nothing was revoked; ` +
            `the two ids look swapped (group ${membership.group_id} does exist): ` +
            `revoke group:${membership.group_id}:${membership.role}:user:${membership.user_id}`,
          exit_code: 2
        }
      ])
      assert.deepStrictEqual(writes, [])
      assert.deepStrictEqual(
        snapshot.user_groups.filter((row) => row.user_id === membership.user_id && row.group_id === membership.group_id)
          .map((row) => row.role),
        [membership.role]
      )
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a team membership's revoke with a user's id as the team is refused, naming the membership meant", () =>
    Effect.gen(function*() {
      const grantId = `team:${teamMembership.user_id}:member:user:${teamMembership.team_id}`
      const { result, writes } = yield* provisioningRun("--revoke-grant", grantId)
      assertExit(result, 2)
      assert.strictEqual(result.stdout, "")
      assert.deepStrictEqual(logFields(result.stderr).slice(1), [
        {
          level: "error",
          msg: `team ${teamMembership.user_id} does not exist, but user ${teamMembership.user_id} does: nothing was revoked; ` +
            `the two ids look swapped (team ${teamMembership.team_id} does exist): ` +
            `revoke team:${teamMembership.team_id}:member:user:${teamMembership.user_id}`,
          exit_code: 2
        }
      ])
      assert.deepStrictEqual(writes, [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a connection's revoke naming a group's id is refused, saying whose id it is", () =>
    Effect.gen(function*() {
      const grantId = `connection:${group.id}:Connector Reviewer:user:${membership.user_id}`
      const { result, writes } = yield* provisioningRun("--revoke-grant", grantId)
      assertExit(result, 2)
      assert.strictEqual(result.stdout, "")
      assert.deepStrictEqual(logFields(result.stderr).slice(1), [
        {
          level: "error",
          msg: `connection ${group.id} does not exist, but group ${group.id} does: nothing was revoked; ` +
            "a connection entitlement names a connection's id (connection:<connection id>:Connector Reviewer)",
          exit_code: 2
        }
      ])
      assert.deepStrictEqual(writes, [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a grant naming a user's id as the group is refused, saying whose id it is", () =>
    Effect.gen(function*() {
      const entitlementId = `group:${membership.user_id}:View Destination`
      const { result, writes } = yield* provisioningRun(
        "--grant-entitlement",
        entitlementId,
        "--grant-principal",
        membership.user_id,
        "--grant-principal-type",
        "user"
      )
      assertExit(result, 2)
      assert.strictEqual(result.stdout, "")
      assert.deepStrictEqual(logFields(result.stderr), [
        auditLine({
          action: "grant",
          entitlement_id: entitlementId,
          principal_type: "user",
          principal_id: membership.user_id,
          outcome: "unknown_entitlement"
        }),
        {
          level: "error",
          msg: `group ${membership.user_id} does not exist, but user ${membership.user_id} does: nothing was granted; ` +
            "a group entitlement names a group's id (group:<group id>:View Destination)",
          exit_code: 2
        }
      ])
      assert.deepStrictEqual(writes, [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a group id nothing has is still already revoked, exit 0", () =>
    Effect.gen(function*() {
      const grantId = `group:no_such_group:View Destination:user:${membership.user_id}`
      const { result, writes } = yield* provisioningRun("--revoke-grant", grantId)
      assertExit(result, 0)
      assert.strictEqual(result.stdout, `already revoked: ${grantId} (group no_such_group does not exist)\n`)
      assert.deepStrictEqual(writes, [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("with a key that may not read teams, a group id nothing has is still already revoked, exit 0", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const grantId = `group:no_such_group:View Destination:user:${membership.user_id}`
      const result = yield* runCli([
        "--base-url",
        sandbox.baseUrl,
        "--api-key",
        noTeamKey.credential.key,
        "--api-secret",
        noTeamKey.credential.secret,
        "-p",
        "--revoke-grant",
        grantId,
        "--log-format",
        "json"
      ])
      assertExit(result, 0)
      assert.strictEqual(result.stdout, `already revoked: ${grantId} (group no_such_group does not exist)\n`)
    }).pipe(Effect.provide(sandboxLayer(noTeamKey.snapshot)), Effect.provide(NodeContext.layer)))
})
