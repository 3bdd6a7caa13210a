import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { assertExit, runCli } from "./support/CliProcess.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"
import { connectionFlags, sandboxLayer } from "./support/Sandboxes.js"
import { diffSyncCells, diffSyncsOf } from "./support/SheetSync.js"

/**
 * A CSV field holding a semicolon was written bare (`Dan;=1+1 Evil`): a spreadsheet whose locale
 * separates by semicolons (Excel in much of Europe opening review.csv) starts a cell after it, and
 * that cell, `=1+1 Evil`, is a formula the leading-character check never saw. Such a field is now
 * quoted, so it stays one cell of text; JSON keeps the name as it is.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-csv-semicolon-" }))

describe("CSV cells with a semicolon", () => {
  it.scopedLive(
    "a name with a semicolon is a quoted field in -o csv and in diff's CSV; JSON keeps it as it is",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const { flags } = yield* connectionFlags
        // The untouched small account's sync: the worker's shared one of `--sandbox small` (the same preset), made before.
        yield* copySandboxSync(`${dir}/before.c1z`, "small")
        const created = yield* runCli([
          ...flags,
          "-p",
          "--create-account-email",
          "dan@example.com",
          "--create-account-profile",
          JSON.stringify({ given_name: "Dan;=1+1", family_name: "Evil" }),
          "--log-level",
          "warn"
        ])
        assertExit(created, 0)
        const id = /^created (user:\w+) \(dan@example\.com\)\n$/.exec(created.stdout)?.[1]
        assert.isDefined(id, created.stdout)
        assertExit(yield* runCli([...flags, "-f", `${dir}/after.c1z`, "--log-level", "warn"]), 0)
        const syncs = yield* diffSyncsOf(`${dir}/before.c1z`, `${dir}/after.c1z`)

        const users = yield* runCli(["resources", "--type", "user", "-f", `${dir}/after.c1z`, "-o", "csv"])
        assertExit(users, 0)
        assert.deepStrictEqual(users.stdout.split("\r\n").filter((line) => line.startsWith(`${id},`)), [
          `${id},"Dan;=1+1 Evil",dan@example.com,invited,,human,,${syncs.new_sync_id},${syncs.new_synced_at}`
        ])

        const diff = yield* runCli(["diff", `${dir}/before.c1z`, `${dir}/after.c1z`, "-o", "csv"])
        assertExit(diff, 0)
        assert.strictEqual(
          diff.stdout,
          "change,kind,id,name,via,previous_via,status,previous_status,previous_name,old_sync_id,old_synced_at,new_sync_id,new_synced_at," +
            "email,previous_email,account_type,previous_account_type,entitlement,principal,principal_status\r\n" +
            `added,resource,${id},"Dan;=1+1 Evil",,,invited,,,${diffSyncCells(syncs)},dan@example.com,,human,,,,\r\n`
        )

        const json = yield* runCli(["resources", "--type", "user", "-f", `${dir}/after.c1z`, "-o", "json"])
        assertExit(json, 0)
        assert.deepStrictEqual(
          json.stdout.split("\n").filter((line) => line.includes(`"${id}"`)).map((line) => JSON.parse(line)),
          [{
            id,
            name: "Dan;=1+1 Evil",
            email: "dan@example.com",
            status: "invited",
            last_login: "",
            account_type: "human",
            parent: "",
            sync_id: syncs.new_sync_id,
            synced_at: syncs.new_synced_at
          }]
        )
      }).pipe(Effect.provide(Layer.merge(sandboxLayer(), NodeContext.layer))),
    120_000
  )
})
