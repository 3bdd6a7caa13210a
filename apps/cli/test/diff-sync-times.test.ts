import { openC1z } from "@baton-fivetran/c1z"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"
import { connectionFlags, sandboxLayer } from "./support/Sandboxes.js"

/**
 * `diff`'s times: the warning about files given the other way round wrote each sync's end with nine
 * fraction digits (`2026-12-05T07:49:11.105000000Z`) beside the review's last logins to the
 * millisecond (`2025-04-07T16:08:17.078Z`); it now writes them as last_login is. And its counts'
 * line, with json logs, was the text alone (`1 added, 0 removed, 0 changed (A → B)`): a script
 * parsed it for the counts and had no date to tell last quarter's sync from this one. The line now
 * carries the counts and each sync's id and end as fields; its text is unchanged.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-diff-times-" }))

/** A sync file's id and end, read back with the c1z reader; the end to the millisecond, as `new Date().toISOString()` writes it. */
const syncOf = (file: string) =>
  Effect.scoped(Effect.map(openC1z(file), (reader) => ({
    id: reader.syncRun.syncId,
    endedAt: new Date(Date.parse(reader.syncRun.endedAt.replace(/(\.\d{3})\d+/, "$1"))).toISOString()
  })))

const revoked = "group:formal_birch:Manage Destination:user:bouncy_sun"

describe("diff's sync times", () => {
  it.scopedLive(
    "the order warning's times are to the millisecond; the counts' line carries counts, ids and ends as fields",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const { flags } = yield* connectionFlags
        // The untouched small account's sync: the worker's shared one of `--sandbox small` (the same preset), made before.
        yield* copySandboxSync(`${dir}/before.c1z`, "small")
        assertExit(yield* runCli([...flags, "-p", "--revoke-grant", revoked, "--log-level", "warn"]), 0)
        assertExit(yield* runCli([...flags, "-f", `${dir}/after.c1z`, "--log-level", "warn"]), 0)
        const [before, after] = [yield* syncOf(`${dir}/before.c1z`), yield* syncOf(`${dir}/after.c1z`)]
        assert.match(before.endedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)

        const backwards = `${dir}/after.c1z (synced ${after.endedAt}) is newer than ${dir}/before.c1z (synced ${before.endedAt}): ` +
          "every change reads backwards (added as removed); give the older file first"
        const counts = `1 added, 0 removed, 0 changed (${after.id} → ${before.id})`
        const console = yield* runCli(["diff", `${dir}/after.c1z`, `${dir}/before.c1z`, "-o", "csv"])
        assert.deepStrictEqual(console, {
          exitCode: 0,
          stdout:
            "change,kind,id,name,via,previous_via,status,previous_status,previous_name,old_sync_id,old_synced_at,new_sync_id,new_synced_at," +
            "email,previous_email,account_type,previous_account_type,entitlement,principal,principal_status\r\n" +
            `added,grant,${revoked},Alberto Phillips: Manage Destination on logistics_latam,direct,,,,,` +
            `${after.id},${after.endedAt},${before.id},${before.endedAt},,,,,group:formal_birch:Manage Destination,user:bouncy_sun,enabled\r\n`,
          stderr: `${backwards}\n${counts}\n`
        })

        const json = yield* runCli(["diff", `${dir}/after.c1z`, `${dir}/before.c1z`, "-o", "json"], { env: { BATON_LOG_FORMAT: "json" } })
        assertExit(json, 0)
        assert.deepStrictEqual(logFields(json.stderr), [
          { level: "warn", msg: backwards, old_ended_at: after.endedAt, new_ended_at: before.endedAt },
          {
            level: "info",
            msg: counts,
            added: 1,
            removed: 0,
            changed: 0,
            old_sync_id: after.id,
            old_ended_at: after.endedAt,
            new_sync_id: before.id,
            new_ended_at: before.endedAt
          }
        ])
      }).pipe(Effect.provide(Layer.merge(sandboxLayer(), NodeContext.layer))),
    120_000
  )
})
