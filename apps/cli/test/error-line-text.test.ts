import { type AccountSnapshot, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, jsonLines, runCli } from "./support/CliProcess.js"
import { edgeCases, edgeFlags } from "./support/EdgeCases.js"

/**
 * The `error:` line quotes text that is not the CLI's own: a role name Fivetran lists, a value
 * typed or left in BATON_* or .baton.yaml. On a terminal (console logs) its control characters are
 * shown as `\u` escapes, as a table shows them, so that such text can neither act on the terminal
 * (retitle it, clear it) nor forge a second `error:` line; JSON logs keep the exact text.
 */

/** A custom destination role whose name retitles and clears a terminal and breaks the line. */
const hostileRole = "Evil\u001b]0;pwned\u0007\u001b[2J Dest\nerror: forged"

const account: AccountSnapshot = {
  ...edgeCases,
  roles: [...edgeCases.roles, {
    name: hostileRole,
    description: "A custom role another admin named.",
    is_custom: true,
    scope: ["DESTINATION"],
    is_deprecated: false,
    replacement_role_name: null
  }]
}

const grantUnknownRole = [
  "-p",
  "--grant-entitlement",
  "group:warehouse_g:Nope",
  "--grant-principal",
  "admin_ada",
  "--grant-principal-type",
  "user"
]

const refusal = (roleName: string) =>
  `group:warehouse_g:Nope: "Nope" is not a role of this account; valid DESTINATION roles: ` +
  `"Manage Destination", "View Destination", "${roleName}" (deprecated, still taken: "Destination Reviewer")`

describe("the error line's text", () => {
  it.scopedLive("a role name from Fivetran with control characters is shown escaped on one line; JSON keeps it", () =>
    Effect.gen(function*() {
      const flags = yield* edgeFlags

      const console = yield* runCli([...flags, ...grantUnknownRole, "--log-format", "console"])
      assertExit(console, 2)
      const lines = console.stderr.split("\n")
      assert.strictEqual(lines.at(-2), `error: ${refusal("Evil\\u001b]0;pwned\\u0007\\u001b[2J Dest\\u000aerror: forged")}`)
      assert.strictEqual(lines.at(-1), "")
      assert.strictEqual(lines.filter((line) => line.startsWith("error:")).length, 1)
      assert.isFalse(console.stderr.includes("\u001b"), "an escape character reached the terminal")

      const json = yield* runCli([...flags, ...grantUnknownRole, "--log-format", "json"])
      assertExit(json, 2)
      assert.deepStrictEqual(jsonLines(json.stderr).filter((line) => line.level === "error").map((line) => line.msg), [
        refusal(hostileRole)
      ])
    }).pipe(Effect.provide(Sandbox.layer({ snapshot: account, port: 0 })), Effect.provide(NodeContext.layer)))

  it.scopedLive("a file name given to a review command is shown escaped in its refusal", () =>
    Effect.gen(function*() {
      const result = yield* runCli(["resources", "-f", "no\u001b[2Jfile\n.c1z"])
      assertExit(result, 2)
      assert.strictEqual(result.stderr, "error: --file no\\u001b[2Jfile\\u000a.c1z: no such file\n")
    }).pipe(Effect.provide(NodeContext.layer)))
})
