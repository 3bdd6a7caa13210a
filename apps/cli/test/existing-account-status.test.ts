import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, logFields } from "./support/CliProcess.js"
import { auditLine, provisioningRun } from "./support/RefusedActions.js"
import { sandboxLayer, smallAccount } from "./support/Sandboxes.js"

/**
 * An invitation for an email the account already has is "already exists", exit 0. Before, the line
 * was only `already exists: user:<id> (<email>)` whatever the account's state, which read as an
 * invitation done while a disabled user cannot sign in (and Fivetran's API cannot enable one); the
 * line now says so. Nothing is written either way.
 */

const disabled = smallAccount.users.find((user) => !user.active && user.email !== null)!
const invited = smallAccount.users.find((user) => user.active && user.invited && user.email !== null)!
const enabled = smallAccount.users.find((user) => user.active && !user.invited && user.email !== null && user.role === null)!

const roleHolder = smallAccount.users.find((user) => user.email !== null && user.role !== null && user.role !== "Account Analyst")!

/** Invites `email` with the CLI against the test's sandbox; returns what it printed and the writes the sandbox saw. */
const invite = (email: string, role?: string) =>
  provisioningRun(
    "--create-account-email",
    email,
    "--create-account-profile",
    JSON.stringify({ given_name: "Ada", family_name: "Lovelace", ...(role === undefined ? {} : { role }) })
  )

describe("an invitation for an account that exists", () => {
  it.scopedLive("a disabled user's email: already exists, and it says the user cannot sign in", () =>
    Effect.gen(function*() {
      const { result, writes } = yield* invite(disabled.email!.toUpperCase())
      assertExit(result, 0)
      assert.strictEqual(
        result.stdout,
        `already exists: user:${disabled.id} (${disabled.email}), but it is disabled in Fivetran: it cannot sign in ` +
          "until it is enabled there (Fivetran's API cannot enable a user)\n"
      )
      assert.deepStrictEqual(writes, [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("an invited user's email: already exists, nothing more (a repeat of one's own invitation lands here)", () =>
    Effect.gen(function*() {
      const { result, writes } = yield* invite(invited.email!)
      assertExit(result, 0)
      assert.strictEqual(result.stdout, `already exists: user:${invited.id} (${invited.email})\n`)
      assert.deepStrictEqual(writes, [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a user's email with another role: refused (conflict), its audit line naming the user found", () =>
    Effect.gen(function*() {
      const { result, writes } = yield* invite(roleHolder.email!, "Account Analyst")
      assert.deepStrictEqual([result.exitCode, result.stdout, logFields(result.stderr)], [1, "", [
        auditLine({
          action: "create_account",
          role: "Account Analyst",
          principal_type: "user",
          principal_id: roleHolder.id,
          outcome: "conflict"
        }),
        {
          // A log line: the email is <email>; the user's id names them (emails-in-logs.test.ts).
          level: "error",
          msg: `cannot create an account for <email>: it already exists (user:${roleHolder.id}) with the role ` +
            `${roleHolder.role}, not Account Analyst; grant role:Account Analyst:assigned to change it`,
          exit_code: 1
        }
      ]])
      assert.deepStrictEqual(writes, [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("an enabled user's email: already exists, nothing more", () =>
    Effect.gen(function*() {
      const { result, writes } = yield* invite(enabled.email!)
      assertExit(result, 0)
      assert.strictEqual(result.stdout, `already exists: user:${enabled.id} (${enabled.email})\n`)
      assert.deepStrictEqual(writes, [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))
})
