import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { assertExit, runCli } from "./support/CliProcess.js"
import { jsonRows } from "./support/JsonRows.js"
import { sandboxLayer, smallAccount } from "./support/Sandboxes.js"
import { diffSyncCells, diffSyncsOf } from "./support/SheetSync.js"
import { syncsAround } from "./support/SyncsAround.js"

/**
 * A user added or removed between two syncs showed an empty status in `diff`, though the one sync
 * that has the user says it: a reviewer could not tell an invitation still pending from an active
 * account, nor whether a removed user had been suspended first. Its status now comes from that sync,
 * in every format; a changed row keeps its status and previous status as before.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-diff-status-" }))

/** In the small preset: an active user (Gabriel Gomez) and a suspended one (Eli Lehmann). */
const [active, suspended] = ["fancy_petal", "stout_forest"]

const emailOf = (id: string) => smallAccount.users.find((user) => user.id === id)!.email!

const resourceLines = (csv: string) => csv.split("\r\n").filter((line) => /^\w+,resource,/.test(line))

/** A diff's CSV line's id: the rows come by id (these ids are ASCII, where `<` is code point order). */
const idOf = (line: string) => line.split(",")[2]!

describe("diff's status of an added or removed user", () => {
  it.scopedLive(
    "an invited user added, an active and a suspended one removed: each with its status in CSV, JSON and the table",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const { before, after, runs: [created] } = yield* syncsAround(dir, [
          [
            "--create-account-email",
            "ada@example.com",
            "--create-account-profile",
            JSON.stringify({ given_name: "Ada", family_name: "Lovelace" })
          ],
          ...[active, suspended].map((id) => ["--delete-resource", id, "--delete-resource-type", "user"])
        ])
        const invited = /^created (user:\w+) \(ada@example\.com\)\n$/.exec(created!.stdout)?.[1]
        assert.isDefined(invited, created!.stdout)
        const syncs = diffSyncCells(yield* diffSyncsOf(before, after))

        const csv = yield* runCli(["diff", before, after, "-o", "csv"])
        assertExit(csv, 0)
        // Each also with its email and account type (new columns, after the syncs'; then a grant's entitlement, principal and principal status).
        assert.deepStrictEqual(
          resourceLines(csv.stdout),
          [
            `removed,resource,user:${active},Gabriel Gomez,,,enabled,,,${syncs},${emailOf(active)},,human,,,,`,
            `removed,resource,user:${suspended},Eli Lehmann,,,disabled,,,${syncs},${emailOf(suspended)},,human,,,,`,
            `added,resource,${invited},Ada Lovelace,,,invited,,,${syncs},ada@example.com,,human,,,,`
          ].sort((a, b) => idOf(a) < idOf(b) ? -1 : 1)
        )

        const json = yield* runCli(["diff", before, after, "-o", "json"])
        assertExit(json, 0)
        const rows = jsonRows(json.stdout)
        const status = (id: string) => rows.filter((row) => row.id === id).map((row) => [row.change, row.status, row.previous_status])
        assert.deepStrictEqual(status(`user:${active}`), [["removed", "enabled", ""]])
        assert.deepStrictEqual(status(`user:${suspended}`), [["removed", "disabled", ""]])
        assert.deepStrictEqual(status(invited!), [["added", "invited", ""]])

        const table = yield* runCli(["diff", before, after, "-o", "table"])
        assertExit(table, 0)
        const header = table.stdout.split("\n")[0]!
        const statusColumn = header.indexOf("STATUS")
        const cellsOf = (id: string) => {
          const line = table.stdout.split("\n").find((text) => text.includes(` ${id} `))!
          return line.slice(statusColumn).split(/ +/)[0]
        }
        assert.deepStrictEqual([cellsOf(`user:${active}`), cellsOf(`user:${suspended}`), cellsOf(invited!)], [
          "enabled",
          "disabled",
          "invited"
        ])
      }).pipe(Effect.provide(Layer.merge(sandboxLayer(), NodeContext.layer))),
    120_000
  )
})
