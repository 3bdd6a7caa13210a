import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * A revoke of access the user holds only through a team printed `already revoked: <grant> (held
 * only through team membership ...)`: read at a glance as the access gone, while the user still had
 * it. The line now starts `nothing to revoke directly:` with the same detail (what to revoke
 * instead); exit 0 as before, so that the retry of a revoke that left team access stays safe. A
 * revoke with nothing left anywhere still says `already revoked`.
 */

/** A group role a team holds, a member of that team who holds no role in the group directly. */
const teamGrant = smallAccount.team_groups[0]!
const member = smallAccount.team_users.find((row) =>
  row.team_id === teamGrant.team_id &&
  !smallAccount.user_groups.some((held) => held.user_id === row.user_id && held.group_id === teamGrant.group_id)
)!
const entitlementId = `group:${teamGrant.group_id}:${teamGrant.role}`
const grantId = `${entitlementId}:user:${member.user_id}`

describe("a revoke of access held only through a team", () => {
  it.scopedLive("says there is nothing to revoke directly and what to revoke instead, exit 0", () =>
    Effect.gen(function*() {
      const { flags } = yield* connectionFlags
      const result = yield* runCli([...flags, "-p", "--revoke-grant", grantId])
      assertExit(result, 0)
      assert.strictEqual(
        result.stdout,
        `nothing to revoke directly: ${grantId} (held only through team membership (team:${teamGrant.team_id}:member:user:` +
          `${member.user_id}): revoke ${entitlementId}:team:${teamGrant.team_id}, or remove the user from the team, to end ` +
          "the access)\n"
      )
      const teamRevoked = yield* runCli([...flags, "-p", "--revoke-grant", `${entitlementId}:team:${teamGrant.team_id}`])
      assertExit(teamRevoked, 0)
      const again = yield* runCli([...flags, "-p", "--revoke-grant", grantId])
      assertExit(again, 0)
      assert.strictEqual(again.stdout, `already revoked: ${grantId}\n`)
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))
})
