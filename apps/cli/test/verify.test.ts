import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, runCli } from "./support/CliProcess.js"
import { craft } from "./support/CraftedSyncFile.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"

/**
 * `verify`: the reader trusts the indexes a .c1z brings. A file whose principal index leaves a user's
 * grants out (a partial index whose SQL was swapped back to the plain text through writable_schema)
 * passes every other command: `access user:<id>` printed nothing, exit 0, while `grants` listed them.
 * verify runs SQLite's full integrity check and refuses it, exit 2; and a file whose grants name a
 * principal the sync does not hold, which baton's own listings stop at.
 */

/** The sync `file` with its principal index leaving `user`'s grants out, though its SQL reads as the plain index. */
const hiding = (file: string, target: string, user: string) =>
  craft(file, target, (db) => {
    const { sql } = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'idx_grants_principal_id_v1'").get() as { sql: string }
    db.exec(`DROP INDEX idx_grants_principal_id_v1; ${sql} WHERE principal_resource_id <> '${user}'`)
    // better-sqlite3's defensive mode forbids writing sqlite_master: lifted for the crafting only.
    db.unsafeMode(true)
    db.pragma("writable_schema = ON")
    db.prepare("UPDATE sqlite_master SET sql = ? WHERE name = 'idx_grants_principal_id_v1'").run(sql)
  })

/** The sync `file` without `user`'s resource row: that user's grants name a principal the sync does not hold. */
const withoutUser = (file: string, target: string, user: string) =>
  craft(file, target, (db) => db.prepare("DELETE FROM v1_resources WHERE external_id = ?").run(`user:${user}`))

/** The small sandbox's user with the most grants (10 of its 122). */
const user = "glad_tundra"

describe("verify", () => {
  it.scopedLive(
    "a sync as written passes: one line, or one JSON object; a crafted index or a grant of a missing user is refused, exit 2",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-verify-" })
        const file = `${dir}/sync.c1z`
        yield* copySandboxSync(file, "small")
        const sync = JSON.parse((yield* runCli(["grants", "-f", file, "-o", "json"])).stdout.split("\n")[0]!) as {
          sync_id: string
          synced_at: string
        }
        const crafted = `${dir}/crafted.c1z`
        hiding(file, crafted, user)
        const dangling = `${dir}/dangling.c1z`
        withoutUser(file, dangling, user)
        const text = `${dir}/notes.txt`
        yield* fs.writeFileString(text, "not a sync\n")

        const [table, json, damaged, notC1z, access, grants, danglingVerify, danglingGrants] = yield* Effect.all([
          runCli(["verify", "-f", file]),
          runCli(["verify", "-f", file, "-o", "json"]),
          runCli(["verify", "-f", crafted]),
          runCli(["verify", "-f", text]),
          runCli(["access", `user:${user}`, "-f", crafted, "-o", "json"]),
          runCli(["grants", "-f", crafted, "-o", "json"]),
          runCli(["verify", "-f", dangling, "-o", "json"]),
          runCli(["grants", "-f", dangling, "-o", "json"])
        ], { concurrency: 2 })
        assert.deepStrictEqual(table, {
          exitCode: 0,
          stdout: `${file}: sync ${sync.sync_id} (synced ${sync.synced_at}): 38 resources, 51 entitlements, 122 grants; ` +
            "SQLite's integrity check passed\n",
          stderr: ""
        })
        assert.deepStrictEqual(json, {
          exitCode: 0,
          stdout: `${
            JSON.stringify({
              file,
              sync_id: sync.sync_id,
              synced_at: sync.synced_at,
              resources: 38,
              entitlements: 51,
              grants: 122,
              integrity_check: "ok"
            })
          }\n`,
          stderr: ""
        })
        assert.deepStrictEqual(damaged, {
          exitCode: 2,
          stdout: "",
          stderr: `error: ${crafted}: the .c1z is damaged: SQLite's integrity_check of its database reports: wrong # of ` +
            "entries in index idx_grants_principal_id_v1; row 9 missing from index idx_grants_principal_id_v1; row 10 " +
            "missing from index idx_grants_principal_id_v1 (write it again)\n"
        })
        assert.deepStrictEqual(notC1z, {
          exitCode: 2,
          stdout: "",
          stderr: `error: ${text} is not a .c1z file (expected a baton sync file, which starts with the header "C1ZF\\0"; ` +
            "this one does not)\n"
        })
        // Why verify exists: the other commands read the crafted file without a word, and list less than it holds.
        assert.deepStrictEqual([access.exitCode, access.stdout], [0, ""])
        assertExit(grants, 0)
        assert.strictEqual(grants.stdout.split("\n").filter((line) => line.includes(`"principal":"user:${user}"`)).length, 10)
        // A user's resource row removed: its 10 grants name a principal the sync does not hold, which
        // baton's own listings stop at; this reader still lists them.
        assert.deepStrictEqual(danglingVerify, {
          exitCode: 2,
          stdout: "",
          stderr: `error: ${dangling}: the .c1z is damaged: its sync holds 10 grants naming an entitlement or principal it ` +
            "does not hold (v1_grants row 9 and others); baton's own listings (baton grants, baton resources) stop at the " +
            "first such row (write it again)\n"
        })
        assertExit(danglingGrants, 0)
        assert.strictEqual(
          danglingGrants.stdout.split("\n").filter((line) => line.includes(`"principal":"user:${user}"`)).length,
          10
        )
      }).pipe(Effect.provide(NodeContext.layer)),
    180_000
  )
})
