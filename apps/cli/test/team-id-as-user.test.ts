import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"
import { auditLine, provisioningRun } from "./support/RefusedActions.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * A team's id given to --delete-resource as a user's (--delete-resource-type user) read as a user
 * that does not exist: 'does not exist: user:T (nothing to delete)', exit 0, while the team and its
 * access stayed. It is now refused as the revoke naming a team as a user is (d5f3a02): the id is a
 * team's, nothing was deleted, and what to do instead (only users are deleted here), exit 2.
 */

const team = smallAccount.teams[0]!

describe("a team's id deleted as a user's", () => {
  it.scopedLive("is refused naming the team; nothing is deleted", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const { result } = yield* provisioningRun("--delete-resource", team.id, "--delete-resource-type", "user")
      assertExit(result, 2)
      assert.strictEqual(result.stdout, "")
      assert.deepStrictEqual(logFields(result.stderr), [
        auditLine({
          action: "delete_resource",
          resource_type: "user",
          resource_id: team.id,
          outcome: "unknown_principal"
        }),
        {
          level: "error",
          msg: `user ${team.id} does not exist, but team ${team.id} does: nothing was deleted; only users can be deleted ` +
            `here: delete the team in Fivetran itself, or revoke its grants (those of team:${team.id}) to end its access`,
          exit_code: 2
        }
      ])
      const requests = (yield* sandbox.requestLog).map((entry) => `${entry.method} ${entry.path} ${entry.status}`)
      assert.deepStrictEqual([...requests].sort(), [
        "GET /v1/account/info 200",
        // The team, a group and the connections are asked at once, once no user has the id.
        "GET /v1/connections 200",
        `GET /v1/groups/${team.id} 404`,
        `GET /v1/teams/${team.id} 200`,
        `GET /v1/users/${team.id} 404`
      ])
      assert.isDefined((yield* sandbox.snapshot).teams.find((candidate) => candidate.id === team.id))
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("an id neither a user nor a team has still does not exist, exit 0", () =>
    Effect.gen(function*() {
      const { flags } = yield* connectionFlags
      const result = yield* runCli([...flags, "-p", "--delete-resource", "no_such_user", "--delete-resource-type", "user"])
      assertExit(result, 0)
      assert.strictEqual(result.stdout, "does not exist: user:no_such_user (nothing to delete)\n")
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))
})
