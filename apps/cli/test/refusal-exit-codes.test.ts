import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, runCli } from "./support/CliProcess.js"
import { refusedAction, smallAccountRoles } from "./support/RefusedActions.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * A provisioning request refused as named (a role no role of the account is called, a role of
 * another scope, an entitlement the principal type cannot hold, a type not provisioned, a group or
 * user that does not exist) exited 1, which docs/deploy.md tells a scheduler to retry: the same
 * request met the same refusal on every retry. Each now exits 2 ("will not fix itself"), its error
 * line as before; nothing is written.
 */

const group = smallAccount.groups[0]!
const [team, otherTeam] = smallAccount.teams
const user = smallAccount.users.find((candidate) => candidate.role === null || candidate.role === "Account Reviewer")!

const grant = (entitlementId: string, principal: string, type = "user") =>
  refusedAction("--grant-entitlement", entitlementId, "--grant-principal", principal, "--grant-principal-type", type)

describe("a provisioning request refused as named exits 2", () => {
  it.scopedLive("UnknownRole: a role name no role of the account has", () =>
    Effect.gen(function*() {
      // A name near no role (role-typos.test.ts has the near ones): the same refusal, no suggestion.
      const refused = yield* grant("role:Auditor:assigned", user.id)
      assertExit(refused.result, 2)
      assert.deepStrictEqual(refused.errors, [{
        level: "error",
        msg: `role:Auditor:assigned: "Auditor" is not a role of this account; ${smallAccountRoles}`,
        exit_code: 2
      }])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("WrongScope: a role of another scope", () =>
    Effect.gen(function*() {
      const refused = yield* grant("role:View Destination:assigned", user.id)
      assertExit(refused.result, 2)
      assert.deepStrictEqual(refused.errors, [{
        level: "error",
        msg: `role:View Destination:assigned: "View Destination" has scope DESTINATION, but this needs a role of scope ` +
          `ACCOUNT; ${smallAccountRoles}`,
        exit_code: 2
      }])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("NotGrantable: a team's membership granted to a team", () =>
    Effect.gen(function*() {
      const refused = yield* grant(`team:${team!.id}:member`, otherTeam!.id, "team")
      assertExit(refused.result, 2)
      assert.deepStrictEqual(refused.errors, [{
        level: "error",
        msg: `team:${team!.id}:member can be granted to user principals only, not to team:${otherTeam!.id}`,
        exit_code: 2
      }])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("Unsupported: deleting a group", () =>
    Effect.gen(function*() {
      const refused = yield* refusedAction("--delete-resource", group.id, "--delete-resource-type", "group")
      assertExit(refused.result, 2)
      assert.deepStrictEqual(refused.errors, [{
        level: "error",
        msg: `cannot delete group:${group.id}: only user resources can be deleted; revoke grants to remove access`,
        exit_code: 2
      }])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("UnknownEntitlement: a group that does not exist", () =>
    Effect.gen(function*() {
      const refused = yield* grant("group:no_such_group:View Destination", user.id)
      assertExit(refused.result, 2)
      assert.deepStrictEqual(refused.errors, [{ level: "error", msg: "group no_such_group does not exist", exit_code: 2 }])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("UnknownPrincipal: a user that does not exist", () =>
    Effect.gen(function*() {
      const refused = yield* grant(`group:${group.id}:View Destination`, "no_such_user")
      assertExit(refused.result, 2)
      assert.deepStrictEqual(refused.errors, [{ level: "error", msg: "user no_such_user does not exist", exit_code: 2 }])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("on a terminal's console format too: the error line, exit 2", () =>
    Effect.gen(function*() {
      const { flags } = yield* connectionFlags
      const result = yield* runCli([
        ...flags,
        "-p",
        "--grant-entitlement",
        "group:no_such_group:View Destination",
        "--grant-principal",
        user.id,
        "--grant-principal-type",
        "user"
      ])
      assertExit(result, 2)
      assert.strictEqual(
        result.stderr.split("\n").filter((line) => line.startsWith("error:")).join("\n"),
        "error: group no_such_group does not exist"
      )
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))
})
