import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { assertExit, runCli } from "./support/CliProcess.js"
import { parseCsv } from "./support/Csv.js"
import { jsonRows } from "./support/JsonRows.js"
import { sandboxLayer, smallAccount } from "./support/Sandboxes.js"
import { sheetSyncOf } from "./support/SheetSync.js"
import { syncsAround } from "./support/SyncsAround.js"

/**
 * `diff`'s rows named neither sync (only its counts line on stderr did), and `resources`,
 * `entitlements` and `grants` in CSV and JSON named none, so a listing saved as evidence could not
 * be tied to its sync. Their rows now end as export's do: the listings with `sync_id` and
 * `synced_at`, diff with the older sync's `old_sync_id`, `old_synced_at` and the newer's
 * `new_sync_id`, `new_synced_at`; the other columns keep their places.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-listing-sync-" }))

describe("diff and the listings name their syncs", () => {
  it.scopedLive(
    "diff's rows end with both syncs; resources', entitlements' and grants' with their sync, in CSV and JSON",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const { before, after } = yield* syncsAround(dir, [["--delete-resource", "fancy_petal", "--delete-resource-type", "user"]])
        const [old, now] = [yield* sheetSyncOf(before), yield* sheetSyncOf(after)]
        assert.notStrictEqual(old.id, now.id)

        const diffCsv = yield* runCli(["diff", before, after, "-o", "csv"])
        assertExit(diffCsv, 0)
        const [diffHeader, ...diffRecords] = parseCsv(diffCsv.stdout)
        assert.deepStrictEqual(diffHeader, [
          "change",
          "kind",
          "id",
          "name",
          "via",
          "previous_via",
          "status",
          "previous_status",
          "previous_name",
          "old_sync_id",
          "old_synced_at",
          "new_sync_id",
          "new_synced_at",
          "email",
          "previous_email",
          "account_type",
          "previous_account_type",
          "entitlement",
          "principal",
          "principal_status"
        ])
        assert.deepStrictEqual(diffRecords[0], [
          "removed",
          "resource",
          "user:fancy_petal",
          "Gabriel Gomez",
          "",
          "",
          "enabled",
          "",
          "",
          old.id,
          old.at,
          now.id,
          now.at,
          smallAccount.users.find((user) => user.id === "fancy_petal")!.email!,
          "",
          "human",
          "",
          "",
          "",
          ""
        ])
        assert.strictEqual(diffRecords.length, 7)
        assert.deepStrictEqual(
          new Set(diffRecords.map((record) => record.slice(9, 13).join(" "))),
          new Set([`${old.id} ${old.at} ${now.id} ${now.at}`])
        )
        const diffJson = yield* runCli(["diff", before, after, "-o", "json"])
        assertExit(diffJson, 0)
        const diffRows = jsonRows(diffJson.stdout)
        assert.deepStrictEqual(diffRows.map((row) => Object.values(row)), diffRecords)
        assert.deepStrictEqual(Object.keys(diffRows[0]!), diffHeader)

        const listings = [
          {
            args: ["resources"],
            header: ["id", "name", "email", "status", "last_login", "account_type", "parent"],
            first: ["group:exact_creek", "raw_archive", "", "", "", "", ""]
          },
          {
            args: ["entitlements"],
            header: ["id", "resource", "name", "purpose", "grantable_to"],
            first: [
              "group:exact_creek:Connector Creator",
              "group:exact_creek",
              "Connector Creator on raw_archive",
              "permission",
              "user team"
            ]
          },
          {
            args: ["grants"],
            header: ["id", "entitlement", "principal", "via"],
            first: [
              "group:exact_creek:Destination Administrator:team:scarlet_rapids",
              "group:exact_creek:Destination Administrator",
              "team:scarlet_rapids",
              "direct"
            ]
          }
        ]
        for (const { args, first, header } of listings) {
          const what = args.join(" ")
          const csv = yield* runCli([...args, "-f", after, "-o", "csv"])
          assertExit(csv, 0)
          const [names, ...records] = parseCsv(csv.stdout)
          assert.deepStrictEqual(names, [...header, "sync_id", "synced_at"], what)
          assert.deepStrictEqual(records[0], [...first, now.id, now.at], what)
          assert.deepStrictEqual(new Set(records.map((record) => record.slice(-2).join(" "))), new Set([`${now.id} ${now.at}`]), what)
          const json = yield* runCli([...args, "-f", after, "-o", "json"])
          assertExit(json, 0)
          const rows = jsonRows(json.stdout)
          assert.deepStrictEqual(Object.keys(rows[0]!), names, what)
          assert.deepStrictEqual(rows.map((row) => Object.values(row)), records, what)
          // A table's columns stay as they were: its rows are for reading.
          const table = yield* runCli([...args, "-f", after, "-o", "table"])
          assertExit(table, 0)
          assert.deepStrictEqual(table.stdout.split("\n")[0]!.split(/ {2,}/), header.map((name) => name.toUpperCase()), what)
        }
      }).pipe(Effect.provide(Layer.merge(sandboxLayer(), NodeContext.layer))),
    120_000
  )
})
