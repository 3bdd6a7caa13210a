import { openC1z } from "@baton-fivetran/c1z"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runCli } from "./support/CliProcess.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"

/**
 * `diff a.c1z a.c1z` (a script naming one file twice, or a link to it) printed the empty diff
 * alone, read as "nothing changed since the last sync". It now says on stderr that both sides are
 * the same file, and still ends as an empty diff does: no rows, exit 0, with --fail-on-change too.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-diff-same-" }))

describe("diff of one file with itself", () => {
  it.scopedLive("says the two sides are the same file, by path or by a link to it; exit 0, no rows", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const cwd = yield* tempDir
      yield* copySandboxSync(`${cwd}/sync.c1z`, "small")
      yield* fs.symlink("sync.c1z", `${cwd}/link.c1z`)
      const syncId = yield* Effect.scoped(Effect.map(openC1z(`${cwd}/sync.c1z`), (reader) => reader.syncRun.syncId))
      const counts = `0 added, 0 removed, 0 changed (${syncId} → ${syncId})\n`

      const samePath = yield* runCli(["diff", "sync.c1z", "sync.c1z"], { cwd })
      assert.deepStrictEqual(samePath, {
        exitCode: 0,
        stdout: "",
        stderr: "OLD.c1z and NEW.c1z are the same file (sync.c1z): there is nothing to compare; give two syncs\n" + counts
      })

      const linked = yield* runCli(["diff", "--fail-on-change", "sync.c1z", "./link.c1z", "-o", "csv"], { cwd })
      assert.deepStrictEqual(linked, {
        exitCode: 0,
        stdout:
          "change,kind,id,name,via,previous_via,status,previous_status,previous_name,old_sync_id,old_synced_at,new_sync_id,new_synced_at," +
          "email,previous_email,account_type,previous_account_type,entitlement,principal,principal_status\r\n",
        stderr: "OLD.c1z sync.c1z and NEW.c1z ./link.c1z are the same file: there is nothing to compare; give two syncs\n" + counts
      })

      yield* fs.copyFile(`${cwd}/sync.c1z`, `${cwd}/copy.c1z`)
      assert.deepStrictEqual(yield* runCli(["diff", "sync.c1z", "copy.c1z"], { cwd }), { exitCode: 0, stdout: "", stderr: counts })
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})
