import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * An account role's entitlement ends with `:assigned` and a team membership's with `:member`, which
 * an admin typing `role:Account Reviewer` or `team:<id>` does not know. Before, the refusal (exit 2)
 * said only that the id needs two ':' separators, with a group's entitlement as its example; it now
 * names the id meant, for an entitlement id and for a grant id alike. A group's or connection's has
 * no such slug (a role must be chosen): no guess.
 */

const user = smallAccount.users[0]!.id
const team = smallAccount.teams[0]!.id
const group = smallAccount.groups[0]!.id

/** The error line of a refused provisioning run, against the test's sandbox. */
const refusal = (...args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const { flags } = yield* connectionFlags
    const result = yield* runCli([...flags, "-p", ...args, "--log-format", "json"])
    assertExit(result, 2)
    assert.strictEqual(result.stdout, "")
    return logFields(result.stderr).at(-1)?.["msg"]
  })

const grant = (entitlementId: string) =>
  refusal("--grant-entitlement", entitlementId, "--grant-principal", user, "--grant-principal-type", "user")

const entitlementFormat = "(expected <type>:<id>:<slug>, e.g. group:<group id>:View Destination)"
const grantFormat = "(expected <entitlement id>:<principal type>:<principal id>, e.g. group:<group id>:View Destination:user:<user id>)"

describe("an entitlement id without its slug", () => {
  it.scopedLive("role:<name> and team:<id> name the entitlement meant; group:<id> does not guess a role", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual([
        yield* grant("role:Account Reviewer"),
        yield* grant(`team:${team}`),
        yield* grant(`group:${group}`)
      ], [
        `invalid entitlement id "role:Account Reviewer": it needs at least two ':' separators ${entitlementFormat}; ` +
        "did you mean role:Account Reviewer:assigned?",
        `invalid entitlement id "team:${team}": it needs at least two ':' separators ${entitlementFormat}; ` +
        `did you mean team:${team}:member?`,
        `invalid entitlement id "group:${group}": it needs at least two ':' separators ${entitlementFormat}`
      ])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a grant id whose role or team entitlement lacks its slug names the grant id meant", () =>
    Effect.gen(function*() {
      const roleGrant = `role:Account Reviewer:user:${user}`
      const teamGrant = `team:${team}:user:${user}`
      assert.deepStrictEqual([
        yield* refusal("--revoke-grant", roleGrant),
        yield* refusal("--revoke-grant", teamGrant)
      ], [
        `invalid grant id "${roleGrant}": it has 3 ':' separators, a grant id at least four ${grantFormat}; ` +
        `did you mean role:Account Reviewer:assigned:user:${user}?`,
        `invalid grant id "${teamGrant}": it has 3 ':' separators, a grant id at least four ${grantFormat}; ` +
        `did you mean team:${team}:member:user:${user}?`
      ])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))
})
