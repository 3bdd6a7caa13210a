import { type AccountSnapshot, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, runCli } from "./support/CliProcess.js"
import { edgeCases, edgeFlags } from "./support/EdgeCases.js"
import { jsonRows } from "./support/JsonRows.js"

/**
 * Invisible characters in the account's names, in the CLI's text output: a zero-width space, word
 * joiner, soft hyphen or tag character shows as nothing, so "Bo Both\u200B" read as a second
 * "Bo Both" and a reviewer could not tell the two apart. Each format character (Unicode's Cf) is
 * shown as a `\u` escape (`\U` beyond U+FFFF), as control and bidi characters already were; the
 * joiner inside an emoji sequence draws one emoji and is kept. JSON keeps every name exact.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-invisible-text-" }))

/** The technologist emoji: woman, zero-width joiner, laptop. */
const technologist = "\u{1F469}\u200D\u{1F4BB}"

const invisible: AccountSnapshot = {
  ...edgeCases,
  users: edgeCases.users.map((user) =>
    user.id === "both_bo"
      ? { ...user, family_name: "Bo\u200Bth" }
      : user.id === "account_cy"
      ? { ...user, family_name: "Acc\u2060ount\u00AD" }
      : user
  ),
  teams: edgeCases.teams.map((team) => team.id === "analysts_t" ? { ...team, name: `Analysts ${technologist}\u200C` } : team),
  groups: edgeCases.groups.map((group) => group.id === "lake_g" ? { ...group, name: "la\uFEFFke\u{E0041}" } : group)
}

/** A table's name cell by the row's id (cells are two or more spaces apart). */
const nameCell = (table: string, id: string) => table.split("\n").find((line) => line.startsWith(`${id} `))?.split(/ {2,}/)[1]

describe("invisible characters in account names", () => {
  it.scopedLive("a table and access's count line show format characters as escapes, an emoji's joiner as it is", () =>
    Effect.gen(function*() {
      const file = `${yield* tempDir}/invisible.c1z`
      assertExit(yield* runCli([...yield* edgeFlags, "-f", file]), 0)

      const table = yield* runCli(["resources", "-f", file, "-o", "table"])
      assertExit(table, 0)
      assert.deepStrictEqual(
        ["user:both_bo", "user:account_cy", "team:analysts_t", "group:lake_g"].map((id) => nameCell(table.stdout, id)),
        ["Bo Bo\\u200bth", "Cy Acc\\u2060ount\\u00ad", `Analysts ${technologist}\\u200c`, "la\\ufeffke\\U000e0041"]
      )

      const access = yield* runCli(["access", "user:both_bo", "-f", file, "-o", "table"])
      assertExit(access, 0)
      assert.strictEqual(
        access.stderr.split("\n")[0],
        "10 access paths of Bo Bo\\u200bth (user:both_bo): bo@edge.example, enabled, last login 2025-03-01T10:00:00Z"
      )

      const json = yield* runCli(["resources", "-f", file, "-o", "json"])
      assertExit(json, 0)
      const names = new Map(
        jsonRows(json.stdout)
          .map((row) => [row.id, row.name])
      )
      assert.deepStrictEqual(
        ["user:both_bo", "team:analysts_t", "group:lake_g"].map((id) => names.get(id)),
        ["Bo Bo\u200Bth", `Analysts ${technologist}\u200C`, "la\uFEFFke\u{E0041}"]
      )
    }).pipe(Effect.provide(Sandbox.layer({ snapshot: invisible, port: 0 })), Effect.provide(NodeContext.layer)))
})
