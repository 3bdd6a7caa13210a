import { addSystemKey, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"
import { auditLine, grantToUser, provisioningRun } from "./support/RefusedActions.js"
import { sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * An entitlement id names its group, team or connection by id; typed by hand, a user's id goes in
 * its place, or a grant id's two ids are swapped (`group:<user id>:Edit Destination:user:<group id>`).
 * Before, such a revoke read the group as absent and answered "already revoked: ... (group <user id>
 * does not exist)", exit 0, while the user kept the access meant; a grant said only "group <user id>
 * does not exist". Both now say what the id is (and the id meant, when the two are swapped), exit 2,
 * and write nothing. A connection's id named as a group's or team's was not checked at all (Fivetran
 * has no lookup of one connection), so that revoke was still "already revoked", exit 0; it is now
 * refused too, and an id of another container kind names the grant the principal holds there. An
 * id nothing has is still already revoked, exit 0, also with a key that may not read teams (the
 * check's 403 leaves the absence as it was).
 */

/** A user's direct membership of a group, and a team membership of another user. */
const membership = smallAccount.user_groups[0]!
const teamMembership = smallAccount.team_users[0]!
const group = smallAccount.groups.find((candidate) => candidate.id === membership.group_id)!
/** A user's role in a connection, and a user who holds none in that connection. */
const connectionRole = smallAccount.user_connections[0]!
const outsider = smallAccount.users.find((user) =>
  !smallAccount.user_connections.some((row) => row.user_id === user.id && row.connection_id === connectionRole.connection_id)
)!

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

  it.scopedLive("a connection's revoke naming a group's id is refused, naming the group grant the user holds", () =>
    Effect.gen(function*() {
      const grantId = `connection:${group.id}:Connector Reviewer:user:${membership.user_id}`
      const { result, writes } = yield* provisioningRun("--revoke-grant", grantId)
      assertExit(result, 2)
      assert.strictEqual(result.stdout, "")
      assert.deepStrictEqual(logFields(result.stderr).slice(1), [
        {
          level: "error",
          msg: `connection ${group.id} does not exist, but group ${group.id} does: nothing was revoked; ` +
            `user:${membership.user_id} holds group:${group.id}:${membership.role}: ` +
            `revoke group:${group.id}:${membership.role}:user:${membership.user_id} to end it`,
          exit_code: 2
        }
      ])
      assert.deepStrictEqual(writes, [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a group's or team's revoke naming a connection's id is refused, naming the connection grant the user holds; the user keeps it", () =>
    Effect.gen(function*() {
      const { user_id, connection_id, role } = connectionRole
      const asGroup = `group:${connection_id}:Edit Destination:user:${user_id}`
      const asTeam = `team:${connection_id}:member:user:${user_id}`
      const meant = `user:${user_id} holds connection:${connection_id}:${role}: ` +
        `revoke connection:${connection_id}:${role}:user:${user_id} to end it`
      const group = yield* provisioningRun("--revoke-grant", asGroup)
      const team = yield* provisioningRun("--revoke-grant", asTeam)
      assert.deepStrictEqual(
        [group, team].map(({ result }) => [result.exitCode, result.stdout, logFields(result.stderr)]),
        [
          [2, "", [
            auditLine({
              action: "revoke",
              grant_id: asGroup,
              entitlement_id: `group:${connection_id}:Edit Destination`,
              principal_type: "user",
              principal_id: user_id,
              outcome: "unknown_entitlement"
            }),
            {
              level: "error",
              msg: `group ${connection_id} does not exist, but connection ${connection_id} does: nothing was revoked; ${meant}`,
              exit_code: 2
            }
          ]],
          [2, "", [
            auditLine({
              action: "revoke",
              grant_id: asTeam,
              entitlement_id: `team:${connection_id}:member`,
              principal_type: "user",
              principal_id: user_id,
              outcome: "unknown_entitlement"
            }),
            {
              level: "error",
              msg: `team ${connection_id} does not exist, but connection ${connection_id} does: nothing was revoked; ${meant}`,
              exit_code: 2
            }
          ]]
        ]
      )
      assert.deepStrictEqual(team.writes, [])
      assert.deepStrictEqual(
        team.snapshot.user_connections.filter((row) => row.user_id === user_id && row.connection_id === connection_id)
          .map((row) => row.role),
        [role]
      )
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a group's revoke naming a team's id or a connection the user holds nothing in is refused, saying so", () =>
    Effect.gen(function*() {
      const inTeam = `group:${teamMembership.team_id}:View Destination:user:${teamMembership.user_id}`
      const notHeld = `group:${connectionRole.connection_id}:View Destination:user:${outsider.id}`
      const team = yield* provisioningRun("--revoke-grant", inTeam)
      const connection = yield* provisioningRun("--revoke-grant", notHeld)
      assert.deepStrictEqual(
        [team, connection].map(({ result }) => [result.exitCode, result.stdout, logFields(result.stderr).slice(1)]),
        [
          [2, "", [{
            level: "error",
            msg: `group ${teamMembership.team_id} does not exist, but team ${teamMembership.team_id} does: nothing was revoked; ` +
              `user:${teamMembership.user_id} holds team:${teamMembership.team_id}:member: ` +
              `revoke team:${teamMembership.team_id}:member:user:${teamMembership.user_id} to end it`,
            exit_code: 2
          }]],
          [2, "", [{
            level: "error",
            msg: `group ${connectionRole.connection_id} does not exist, but connection ${connectionRole.connection_id} does: ` +
              `nothing was revoked; user:${outsider.id} holds no role in connection ${connectionRole.connection_id}, and a ` +
              "group entitlement names a group's id (group:<group id>:View Destination)",
            exit_code: 2
          }]]
        ]
      )
      assert.deepStrictEqual(connection.writes, [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a grant naming a connection's id as the group is refused, saying whose id it is and what to grant", () =>
    Effect.gen(function*() {
      const { connection_id } = connectionRole
      const entitlementId = `group:${connection_id}:View Destination`
      const { result, writes } = yield* grantToUser(entitlementId, outsider.id)
      assertExit(result, 2)
      assert.strictEqual(result.stdout, "")
      assert.deepStrictEqual(logFields(result.stderr).slice(1), [
        {
          level: "error",
          msg: `group ${connection_id} does not exist, but connection ${connection_id} does: nothing was granted; ` +
            "a group entitlement names a group's id (group:<group id>:View Destination); " +
            `to grant a role in connection ${connection_id}, grant connection:${connection_id}:<role>`,
          exit_code: 2
        }
      ])
      assert.deepStrictEqual(writes, [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a grant naming a user's id as the group is refused, saying whose id it is", () =>
    Effect.gen(function*() {
      const entitlementId = `group:${membership.user_id}:View Destination`
      const { result, writes } = yield* grantToUser(entitlementId, membership.user_id)
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
