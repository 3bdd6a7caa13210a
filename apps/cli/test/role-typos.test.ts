import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit } from "./support/CliProcess.js"
import { refusedAction, smallAccountRoles } from "./support/RefusedActions.js"
import { sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * A role name with a typo ("Acount Reviewer", "View Destinaton", "Team Mangager") was refused with
 * the scope's whole list and no suggestion, where a name differing only in case got "did you mean".
 * The refusal now names the one role a typo or two away, for a grant, a revoke and an invitation;
 * a name near no role, or as near to two, gets none. Nothing is written either way.
 */

const group = smallAccount.groups[0]!
const team = smallAccount.teams[0]!
const user = smallAccount.users.find((candidate) => candidate.role === null || candidate.role === "Account Reviewer")!

const destinationRoles = `valid DESTINATION roles: "Manage Destination", "Edit Destination", "View Destination", ` +
  `"Create Connection", "Warehouse Steward" (deprecated, still taken: "Destination Administrator", "Destination Reviewer", ` +
  `"Destination Analyst", "Connector Creator")`
const teamRoles = `valid TEAM roles: "Team Manager", "Team Member"; or "member" (a member with any team role, added as Team Member)`

const grant = (entitlementId: string) =>
  refusedAction("--grant-entitlement", entitlementId, "--grant-principal", user.id, "--grant-principal-type", "user")

describe("a mistyped role name", () => {
  it.scopedLive("a grant of an account role one letter off names the role meant", () =>
    Effect.gen(function*() {
      const refused = yield* grant("role:Acount Reviewer:assigned")
      assertExit(refused.result, 2)
      assert.deepStrictEqual(refused.errors, [{
        level: "error",
        msg: `role:Acount Reviewer:assigned: "Acount Reviewer" is not a role of this account; did you mean "Account Reviewer"?; ` +
          smallAccountRoles,
        exit_code: 2
      }])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a group role with a dropped letter and a team role with a letter too many, in a grant and a revoke", () =>
    Effect.gen(function*() {
      const groupRole = yield* grant(`group:${group.id}:View Destinaton`)
      assert.deepStrictEqual(groupRole.errors.map((line) => line["msg"]), [
        `group:${group.id}:View Destinaton: "View Destinaton" is not a role of this account; did you mean "View Destination"?; ` +
        destinationRoles
      ])
      const teamRole = yield* refusedAction("--revoke-grant", `team:${team.id}:Team Mangager:user:${user.id}`)
      assertExit(teamRole.result, 2)
      assert.deepStrictEqual(teamRole.errors.map((line) => line["msg"]), [
        `team:${team.id}:Team Mangager: "Team Mangager" is not a role of this account; did you mean "Team Manager"?; ${teamRoles}`
      ])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("an invitation's role with swapped letters names the role meant", () =>
    Effect.gen(function*() {
      const refused = yield* refusedAction(
        "--create-account-email",
        "ada@example.com",
        "--create-account-profile",
        JSON.stringify({ given_name: "Ada", family_name: "Lovelace", role: "Account Reveiwer" })
      )
      assertExit(refused.result, 2)
      // A JSON error line is a log line: the email is <email> (emails-in-logs.test.ts).
      assert.deepStrictEqual(refused.errors.map((line) => line["msg"]), [
        `role of the new account <email>: "Account Reveiwer" is not a role of this account; did you mean ` +
        `"Account Reviewer"?; ${smallAccountRoles}`
      ])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a name near no role, or as near to two, gets no guess", () =>
    Effect.gen(function*() {
      const far = yield* grant("role:Account Wizard:assigned")
      assert.deepStrictEqual(far.errors.map((line) => line["msg"]), [
        `role:Account Wizard:assigned: "Account Wizard" is not a role of this account; ${smallAccountRoles}`
      ])
      // Two edits from "Edit Destination" and two from "View Destination": either may be meant.
      const between = yield* grant(`group:${group.id}:Viit Destination`)
      assert.deepStrictEqual(between.errors.map((line) => line["msg"]), [
        `group:${group.id}:Viit Destination: "Viit Destination" is not a role of this account; ${destinationRoles}`
      ])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))
})
