import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"
import { sheetSyncOf, syncLine } from "./support/SheetSync.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"

/**
 * `access` and `export -o table` say which sync they read on stderr after their count (`from sync
 * <id> (synced <end>)`), and `resources`, `entitlements` and `grants` name it on every CSV and JSON
 * row, but their tables named no sync: a listing copied from the screen as evidence could not be
 * tied to its sync. Their tables now say it the same way, after their count.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-listing-table-sync-" }))

describe("the listings' tables name their sync", () => {
  it.scopedLive("resources, entitlements and grants -o table: their count, then the sync, on stderr", () =>
    Effect.gen(function*() {
      const file = `${yield* tempDir}/sync.c1z`
      yield* copySandboxSync(file, "small")
      const sync = yield* sheetSyncOf(file)

      const listings: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["resources"], "38 resources"],
        [["resources", "--type", "team"], "3 resources"],
        [["entitlements"], "51 entitlements"],
        [["entitlements", "--resource", "group:trusty_inlet"], "9 entitlements"],
        [["grants"], "122 grants"],
        [["grants", "--principal", "user:violet_reef"], "9 grants"]
      ]
      for (const [args, count] of listings) {
        const table = yield* runCli([...args, "-f", file, "-o", "table"])
        assertExit(table, 0)
        assert.strictEqual(table.stderr, `${count}\n${syncLine(sync)}`, args.join(" "))
        // With JSON logs: one info line with the sync's id and end as fields, as access's and export's.
        const logged = yield* runCli([...args, "-f", file, "-o", "table"], { env: { BATON_LOG_FORMAT: "json" } })
        assertExit(logged, 0)
        assert.deepStrictEqual(logFields(logged.stderr), [
          { level: "info", msg: count },
          { level: "info", msg: `from sync ${sync.id} (synced ${sync.at})`, sync_id: sync.id, synced_at: sync.at }
        ], args.join(" "))
      }

      // CSV and JSON name it on every row already: stderr stays empty.
      for (const format of ["csv", "json"]) {
        const rows = yield* runCli(["grants", "-f", file, "-o", format])
        assertExit(rows, 0)
        assert.strictEqual(rows.stderr, "", format)
      }
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
