import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { runCli } from "./support/CliProcess.js"
import { craft } from "./support/CraftedSyncFile.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"

/**
 * What a security team's read commands do with a sync file crafted against the reader. A grant whose
 * data is a blob of hundreds of megabytes was read whole (two of 400 MB took 1.25 GB) before the file
 * was refused; a blob over 4 MiB is now refused from its size, which SQLite gives without reading
 * it. A named pipe given as the file is refused at once, never waited on.
 */

describe("a sync file crafted against the reader's memory", () => {
  it.scopedLive(
    "a grant whose data is one byte over 4 MiB is refused by grants and diff, exit 2, naming the row and the limit",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-blob-" })
        const tmp = `${dir}/tmp`
        yield* fs.makeDirectory(tmp)
        const good = `${dir}/sync.c1z`
        yield* copySandboxSync(good, "small")
        const crafted = `${dir}/crafted.c1z`
        const grant = craft(good, crafted, (db) => {
          const first = db.prepare("SELECT id, external_id FROM v1_grants ORDER BY id LIMIT 1").get() as {
            readonly id: number
            readonly external_id: string
          }
          db.prepare("UPDATE v1_grants SET data = zeroblob(4194305) WHERE id = ?").run(first.id)
          return first
        })

        const results = yield* Effect.forEach(
          [["grants", "-f", crafted], ["diff", good, crafted]],
          (args) => runCli(args, { env: { TMPDIR: tmp } })
        )
        assert.deepStrictEqual(
          results,
          Array(2).fill({
            exitCode: 2,
            stdout: "",
            stderr:
              `error: ${crafted}: the .c1z is damaged: v1_grants row ${grant.id} (external id ${JSON.stringify(grant.external_id)}): ` +
              "its data is 4194305 bytes, more than 4194304 bytes (4 MiB), the most the reader takes in a row's blob, as a baton " +
              "connector's rows reach its sync in gRPC messages of at most 4 MiB (write it again)\n"
          })
        )
        assert.deepStrictEqual(yield* fs.readDirectory(tmp), [])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive("a named pipe given as the file is refused at once, exit 2, by every read command", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-blob-" })
      const fifo = `${dir}/sync.c1z`
      execFileSync("mkfifo", [fifo])
      const commands = [["resources"], ["grants"], ["entitlements"], ["access", "user:u_alice"], ["export"]]
      const results = yield* Effect.forEach(
        [...commands.map((command) => [...command, "-f", fifo]), ["diff", fifo, fifo]],
        // The bound turns a wait for a writer into a failure; no time is asserted.
        (args) => runCli(args).pipe(Effect.timeout("60 seconds"))
      )
      assert.deepStrictEqual(results, [
        ...commands.map(() => ({
          exitCode: 2,
          stdout: "",
          stderr: `error: --file ${fifo}: is a named pipe (FIFO), not a .c1z sync file\n`
        })),
        { exitCode: 2, stdout: "", stderr: `error: OLD.c1z ${fifo}: is a named pipe (FIFO), not a .c1z sync file\n` }
      ])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
