import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runCli } from "./support/CliProcess.js"
import { craft } from "./support/CraftedSyncFile.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"

/**
 * A sync file whose grant's external_id is 5 MB: the reader read it whole (an error quoted its first
 * 200 characters). An id over 4 KiB (baton-sdk takes each of an id's parts in at most 1,024 bytes)
 * is now refused from its size, unread, by the read commands and by verify, exit 2.
 */

describe("a sync file whose row id is megabytes long", () => {
  it.scopedLive("grants, access and verify refuse it, exit 2, naming the row, its size and the limit", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-id-" })
      const good = `${dir}/sync.c1z`
      yield* copySandboxSync(good, "small")
      const crafted = `${dir}/crafted.c1z`
      const grant = craft(good, crafted, (db) => {
        const first = db.prepare("SELECT id, principal_resource_id FROM v1_grants ORDER BY id LIMIT 1").get() as {
          readonly id: number
          readonly principal_resource_id: string
        }
        db.prepare("UPDATE v1_grants SET external_id = ? WHERE id = ?").run("x".repeat(5_000_000), first.id)
        return first
      })

      const results = yield* Effect.forEach(
        [["grants", "-f", crafted], ["access", `user:${grant.principal_resource_id}`, "-f", crafted], ["verify", "-f", crafted]],
        (args) => runCli(args),
        { concurrency: 2 }
      )
      assert.deepStrictEqual(
        results,
        Array(3).fill({
          exitCode: 2,
          stdout: "",
          stderr: `error: ${crafted}: the .c1z is damaged: v1_grants row ${grant.id}: its external_id is 5000000 bytes, more than ` +
            "4096 bytes (4 KiB), the most the reader takes in an id, as baton-sdk takes at most 1,024 bytes in each of an " +
            "id's parts (write it again)\n"
        })
      )
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
