import type { AccountSnapshot } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * The line a provisioning action prints on stdout quotes text that is not the CLI's own: the role
 * a grant replaced is a role name Fivetran lists, and another admin names custom roles. Its control
 * characters are shown as `\u` escapes, as the tables and the `error:` line show them, so that such
 * a name can neither act on the terminal (retitle it, clear it, write the clipboard) nor forge a
 * second line. A grant to a disabled user says the user cannot use it until enabled in Fivetran.
 */

/** A custom account role whose name retitles and clears a terminal and breaks the line. */
const hostileRole = "Evil\u001b]0;pwned\u0007\u001b[2J Role\nerror: forged"

/** A user who holds no team (so the grant is direct), not the last Account Administrator. */
const holder = smallAccount.users.find((user) =>
  user.role !== "Account Administrator" && !smallAccount.team_users.some((row) => row.user_id === user.id)
)!

/** The small account with the custom role, held by that user. */
const account: AccountSnapshot = {
  ...smallAccount,
  roles: [...smallAccount.roles, {
    name: hostileRole,
    description: "A custom role another admin named.",
    is_custom: true,
    scope: ["ACCOUNT"],
    is_deprecated: false,
    replacement_role_name: null
  }],
  users: smallAccount.users.map((user) => user.id === holder.id ? { ...user, role: hostileRole } : user)
}

describe("the provisioning line's text", () => {
  it.scopedLive("the replaced role's control characters are shown escaped, on one line", () =>
    Effect.gen(function*() {
      const { flags } = yield* connectionFlags
      const granted = yield* runCli([
        ...flags,
        "-p",
        "--grant-entitlement",
        "role:Account Reviewer:assigned",
        "--grant-principal",
        holder.id,
        "--grant-principal-type",
        "user"
      ])
      assertExit(granted, 0)
      assert.strictEqual(
        granted.stdout,
        `granted role:Account Reviewer:assigned to user:${holder.id} ` +
          "(replacing the role Evil\\u001b]0;pwned\\u0007\\u001b[2J Role\\u000aerror: forged it held there)\n"
      )
    }).pipe(Effect.provide(sandboxLayer(account)), Effect.provide(NodeContext.layer)))

  it.scopedLive("a grant to a user disabled in Fivetran says the user cannot use it until enabled, granted or already held", () =>
    Effect.gen(function*() {
      const { flags } = yield* connectionFlags
      const disabled = smallAccount.users.find((user) => !user.active && user.role !== "Account Administrator")!
      const grant = (entitlement: string) =>
        runCli([...flags, "-p", "--grant-entitlement", entitlement, "--grant-principal", disabled.id, "--grant-principal-type", "user"])
      const group = smallAccount.groups[0]!
      const first = yield* grant(`group:${group.id}:View Destination`)
      const again = yield* grant(`group:${group.id}:View Destination`)
      const note = `; user:${disabled.id} is disabled in Fivetran: it cannot use this access until it is enabled there ` +
        "(Fivetran's API cannot enable a user)\n"
      assert.deepStrictEqual([first.exitCode, first.stdout, again.exitCode, again.stdout], [
        0,
        `granted group:${group.id}:View Destination to user:${disabled.id}${note}`,
        0,
        `already exists: user:${disabled.id} already holds group:${group.id}:View Destination${note}`
      ])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))
})
