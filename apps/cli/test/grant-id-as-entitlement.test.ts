import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit } from "./support/CliProcess.js"
import { refusedAction } from "./support/RefusedActions.js"
import { sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * `baton-fivetran grants` lists grant ids (`group:G:View Destination:user:U`); pasted into
 * --grant-entitlement, the id was read as an entitlement whose role is "View Destination:user:U":
 * `"View Destination:user:U" is not a role of this account` (or, for an account role, `does not
 * exist: role entitlements are role:<role name>:assigned`), exit 1. The refusal now says it is a
 * grant id and names the entitlement in it, exit 2 (bad usage), nothing written.
 */

const group = smallAccount.groups[0]!
const user = smallAccount.users.find((candidate) => candidate.role !== "Account Administrator")!

const refused = (entitlementId: string) =>
  Effect.gen(function*() {
    const { errors, result } = yield* refusedAction(
      "--grant-entitlement",
      entitlementId,
      "--grant-principal",
      user.id,
      "--grant-principal-type",
      "user"
    )
    assertExit(result, 2)
    return errors.map((line) => line["msg"])
  })

describe("a grant id given as --grant-entitlement", () => {
  it.scopedLive("of a group role: exit 2, naming the entitlement in it", () =>
    Effect.gen(function*() {
      const entitlementId = `group:${group.id}:View Destination`
      const pasted = `${entitlementId}:user:${user.id}`
      assert.deepStrictEqual(yield* refused(pasted), [
        `invalid entitlement id "${pasted}": it is a grant id, the entitlement ${entitlementId} held by user:${user.id}; ` +
        `grant ${entitlementId} instead`
      ])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("of an account role: the same", () =>
    Effect.gen(function*() {
      const pasted = `role:Account Reviewer:assigned:user:${user.id}`
      assert.deepStrictEqual(yield* refused(pasted), [
        `invalid entitlement id "${pasted}": it is a grant id, the entitlement role:Account Reviewer:assigned held by ` +
        `user:${user.id}; grant role:Account Reviewer:assigned instead`
      ])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))
})
