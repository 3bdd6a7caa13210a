import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"
import { parseCsv } from "./support/Csv.js"
import { jsonRows } from "./support/JsonRows.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"
import { sheetHeader, sheetSyncOf, syncLine } from "./support/SheetSync.js"

/**
 * The review sheets (`export`, `access`) did not say which sync they came from nor when it ended:
 * a sheet saved as evidence could not be tied to its sync. Each row now ends with `sync_id` and
 * `synced_at` (the .c1z's sync id, and its end as RFC 3339 in UTC to the millisecond, as `diff`'s
 * counts line names its syncs), in CSV and JSON; a table says it on stderr after its count.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-sheet-sync-" }))

describe("the review sheets name their sync", () => {
  it.scopedLive(
    "export and access: every CSV and JSON row ends with the sync's id and end; a table says them after its count",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const [before, after] = [`${dir}/before.c1z`, `${dir}/after.c1z`]
        // The older file is the worker's shared sync, made before this one.
        yield* copySandboxSync(before, "small")
        assertExit(yield* runCli(["--sandbox", "small", "-f", after, "--log-level", "warn"]), 0)
        const sync = yield* sheetSyncOf(after)
        assert.match(sync.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)

        const csv = yield* runCli(["export", "-f", after])
        assertExit(csv, 0)
        const records = parseCsv(csv.stdout)
        assert.deepStrictEqual(records[0], sheetHeader)
        const json = yield* runCli(["export", "-f", after, "-o", "json"])
        assertExit(json, 0)
        const rows = jsonRows(json.stdout)
        assert.strictEqual(rows.length, 126)
        assert.deepStrictEqual(records.slice(1), rows.map((row) => sheetHeader.map((name) => row[name])))
        assert.deepStrictEqual(Object.keys(rows[0]!), sheetHeader)
        assert.deepStrictEqual(new Set(rows.map((row) => `${row.sync_id} ${row.synced_at}`)), new Set([`${sync.id} ${sync.at}`]))

        // access's sheets in CSV and JSON: the same columns, the same sync on each row.
        for (
          const query of [["user:violet_reef"], ["--entitlement", "group:trusty_inlet:View Destination"], [
            "--resource",
            "group:trusty_inlet"
          ]]
        ) {
          const access = yield* runCli(["access", ...query, "-f", after, "-o", "csv"])
          assertExit(access, 0)
          const [header, ...cells] = parseCsv(access.stdout)
          assert.deepStrictEqual(header, sheetHeader, query.join(" "))
          assert.isAbove(cells.length, 0, query.join(" "))
          assert.deepStrictEqual(new Set(cells.map((row) => row.slice(-2).join(" "))), new Set([`${sync.id} ${sync.at}`]), query.join(" "))
        }

        // A table: its count, then its sync; in JSON logs, one line with sync_id and synced_at.
        const table = yield* runCli(["access", "user:violet_reef", "-f", after, "-o", "table"])
        assertExit(table, 0)
        // Whose access it is, as the resource listing gives the user.
        const users = yield* runCli(["resources", "--type", "user", "-f", after, "-o", "json"])
        const violet = jsonRows(users.stdout)
          .find((row) => row["id"] === "user:violet_reef")!
        const who = `${violet["name"]} (user:violet_reef): ${violet["email"]}, ${violet["status"]}, last login ${violet["last_login"]}`
        assert.strictEqual(table.stderr, `9 access paths of ${who}\n${syncLine(sync)}`)
        const exported = yield* runCli(["export", "-f", after, "-o", "table"], { env: { BATON_LOG_FORMAT: "json" } })
        assertExit(exported, 0)
        assert.deepStrictEqual(logFields(exported.stderr), [
          { level: "info", msg: "126 access paths of 28 holders (25 users, 3 teams)" },
          { level: "info", msg: `from sync ${sync.id} (synced ${sync.at})`, sync_id: sync.id, synced_at: sync.at }
        ])

        // diff names the same sync the same way: its counts line's new_sync_id and new_ended_at.
        const diff = yield* runCli(["diff", before, after, "-o", "json"], { env: { BATON_LOG_FORMAT: "json" } })
        assertExit(diff, 0)
        const counts = logFields(diff.stderr).at(-1)!
        assert.deepStrictEqual([counts.new_sync_id, counts.new_ended_at], [sync.id, sync.at])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
