import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, runCli } from "./support/CliProcess.js"
import { jsonRows } from "./support/JsonRows.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"

/**
 * `access --entitlement E` and `access --resource R` counted rows alone ("708 access paths"): a
 * holder with several paths (direct and through a team) has several rows, so the count did not
 * match the holders' count the account roles' note gives for the same role ("581 holders"), and a
 * reviewer could not tell how many people hold it. The table's count now says both, and how many of
 * the holders are users and teams, as counted here from the same command's JSON rows. The whole
 * sheet's table (`export -o table`) said "N rows": it now counts as they do, the same rows being
 * access paths.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-holder-counts-" }))

describe("access holder counts", () => {
  it.scopedLive("the table's count line gives paths, holders, users and teams, as the JSON rows count them", () =>
    Effect.gen(function*() {
      const file = `${yield* tempDir}/small.c1z`
      yield* copySandboxSync(file, "small with connections")
      const scopes = [
        ["access", "--entitlement", "role:Account Analyst:assigned"],
        ["access", "--resource", "role:Account Analyst"],
        ["access", "--entitlement", "group:formal_birch:Manage Destination"],
        ["export"]
      ]
      const lines: Array<string> = []
      for (const scope of scopes) {
        const json = yield* runCli([...scope, "-f", file, "-o", "json"])
        assertExit(json, 0)
        const rows = jsonRows(json.stdout)
        const principals = rows.map((row) => row.principal!)
        const distinct = new Set(principals)
        const teams = Array.from(distinct).filter((principal) => principal.startsWith("team:")).length
        const table = yield* runCli([...scope, "-f", file, "-o", "table"])
        assertExit(table, 0)
        assert.strictEqual(
          table.stderr,
          `${principals.length} access paths of ${distinct.size} holders (${distinct.size - teams} users, ${teams} team${
            teams === 1 ? "" : "s"
          })\nfrom sync ${rows[0]!.sync_id} (synced ${rows[0]!.synced_at})\n`
        )
        lines.push(table.stderr.split("\n")[0]!)
      }
      assert.deepStrictEqual(lines, [
        "13 access paths of 12 holders (11 users, 1 team)",
        "13 access paths of 12 holders (11 users, 1 team)",
        "2 access paths of 2 holders (2 users, 0 teams)",
        "153 access paths of 28 holders (25 users, 3 teams)"
      ])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
