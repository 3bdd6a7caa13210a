import { type AccountSnapshot, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { Command, FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, runCli, runCommand } from "./support/CliProcess.js"
import { edgeCases, edgeFlags, syncEdgeInto } from "./support/EdgeCases.js"
import { diffSyncCells, diffSyncsOf, sheetSyncOf, syncLine } from "./support/SheetSync.js"

/**
 * Names from the Fivetran account in what the review commands write beside their rows: `access`'s
 * count line and its notes of account and destination roles on stderr, and diff's grant names,
 * which join a principal's name and an entitlement's. Any account admin sets a team's, a
 * destination's or a custom role's name, and a user their own: control characters in them acted on
 * the terminal, a right-to-left override reversed the id and email after it, a line break forged a
 * role's line. Each is shown as a `\u` escape, as a table's cells show it; JSON fields stay exact.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-account-text-lines-" }))

/** An unterminated right-to-left override: the rest of the line reads backwards after it. */
const overridden = "Bo\u202E"
/** Clears the screen, retitles the terminal and links "link" to another address (OSC 8). */
const escapes = "Cy\u001b[2J\u001b]0;pwned\u0007\u001b]8;;http://evil.example/\u0007link\u001b]8;;\u0007"
const evilRole = "Evil\u202E\nRole"

const hostile: AccountSnapshot = {
  ...edgeCases,
  roles: [...edgeCases.roles, {
    name: evilRole,
    description: "A custom role of the account's.",
    is_custom: true,
    scope: ["ACCOUNT"],
    is_deprecated: false,
    replacement_role_name: null
  }],
  users: edgeCases.users.map((user) =>
    user.id === "both_bo"
      ? { ...user, family_name: overridden }
      : user.id === "account_cy"
      ? { ...user, family_name: escapes }
      : user.id === "service_ci"
      ? { ...user, role: evilRole }
      : user
  ),
  groups: edgeCases.groups.map((group) => group.id === "warehouse_g" ? { ...group, name: "ware\u202Ehouse" } : group)
}

/** The same account once Bo is given View Destination on lake. */
const later: AccountSnapshot = {
  ...hostile,
  user_groups: [
    ...hostile.user_groups,
    { user_id: "both_bo", group_id: "lake_g", role: "View Destination", created_at: "2026-12-01T00:00:00.000000Z" }
  ]
}

const stderrLines = (stderr: string) => stderr.split("\n")

describe("account text in the review commands' lines", () => {
  it.scopedLive("access shows a principal's, a role's and a destination's control and bidi characters as \\u escapes", () =>
    Effect.gen(function*() {
      const file = `${yield* tempDir}/hostile.c1z`
      assertExit(yield* runCli([...yield* edgeFlags, "-f", file, "--sync-connections"]), 0)
      const sync = syncLine(yield* sheetSyncOf(file))
      const access = (args: ReadonlyArray<string>) =>
        Effect.tap(runCli([...args, "-f", file, "-o", "table", "--log-format", "console"]), (result) => assertExit(result, 0))

      assert.deepStrictEqual(
        stderrLines((yield* access(["access", "user:both_bo"])).stderr),
        [
          "12 access paths of Bo Bo\\u202e (user:both_bo): bo@edge.example, enabled, last login 2025-03-01T10:00:00Z",
          ...stderrLines(sync)
        ]
      )
      assert.deepStrictEqual(
        stderrLines((yield* access(["access", "user:account_cy"])).stderr),
        [
          "2 access paths of Cy Cy\\u001b[2J\\u001b]0;pwned\\u0007\\u001b]8;;http://evil.example/\\u0007link\\u001b]8;;\\u0007 " +
          "(user:account_cy): cy@edge.example, enabled, last login 2025-03-01T10:00:00Z",
          ...stderrLines(sync)
        ]
      )
      assert.deepStrictEqual(
        stderrLines((yield* access(["access", "--resource", "connection:sf_c"])).stderr),
        [
          "4 access paths of 3 holders (2 users, 1 team)",
          sync.trimEnd(),
          "Account roles also reach this connection, as far as each role's permissions go (Fivetran's roles cascade from " +
          "the account to every destination and connection); their holders are not among these rows:",
          "  Account Administrator  1 holder   baton-fivetran access --resource 'role:Account Administrator'",
          "  Account Analyst        1 holder   baton-fivetran access --resource 'role:Account Analyst'",
          "  Account Reviewer       3 holders  baton-fivetran access --resource 'role:Account Reviewer'",
          "  Evil\\u202e\\u000aRole   1 holder   baton-fivetran access --resource $'role:Evil\\u202e\\u000aRole'",
          "  Owner                  1 holder   baton-fivetran access --resource role:Owner",
          "Its destination's roles also reach this connection, as far as each role's permissions go (Fivetran's roles " +
          "cascade from a destination to its connections); their holders are not among these rows:",
          "  ware\\u202ehouse (group:warehouse_g)  6 holders  baton-fivetran access --resource group:warehouse_g",
          ""
        ]
      )

      // Pasted into bash, the suggested word is the role's exact id.
      const pasted = yield* runCommand(Command.make("bash", "-c", "printf %s $'role:Evil\\u202e\\u000aRole'"))
      assert.strictEqual(pasted.stdout, `role:${evilRole}`)

      const json = yield* runCli(["access", "user:both_bo", "-f", file, "-o", "table", "--log-format", "json"])
      assertExit(json, 0)
      const count = JSON.parse(json.stderr.split("\n")[0]!) as Record<string, unknown>
      assert.strictEqual(count.principal_name, `Bo ${overridden}`)
    }).pipe(Effect.provide(Sandbox.layer({ snapshot: hostile, port: 0 })), Effect.provide(NodeContext.layer)))

  it.scopedLive("diff's grant name shows each part's control and bidi characters as \\u escapes, in CSV and JSON too", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const [before, after] = [`${dir}/before.c1z`, `${dir}/after.c1z`]
      yield* syncEdgeInto(before).pipe(Effect.provide(Sandbox.layer({ snapshot: hostile, port: 0 })))
      yield* syncEdgeInto(after).pipe(Effect.provide(Sandbox.layer({ snapshot: later, port: 0 })))
      const cells = diffSyncCells(yield* diffSyncsOf(before, after))
      const lake = "group:lake_g:View Destination"

      const csv = yield* runCli(["diff", before, after, "-o", "csv"])
      assertExit(csv, 0)
      assert.deepStrictEqual(csv.stdout.split("\r\n").slice(1), [
        `added,grant,${lake}:user:both_bo,Bo Bo\\u202e: View Destination on lake,direct,,,,,${cells},,,,,${lake},user:both_bo,enabled`,
        ""
      ])

      const json = yield* runCli(["diff", before, after, "-o", "json"])
      assertExit(json, 0)
      const rows = json.stdout.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Record<string, unknown>)
      assert.deepStrictEqual(rows.map((row) => row.name), ["Bo Bo\\u202e: View Destination on lake"])
    }).pipe(Effect.provide(NodeContext.layer)))
})
