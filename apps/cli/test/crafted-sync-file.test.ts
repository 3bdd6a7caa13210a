import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { writeFileSync } from "node:fs"
import { compress } from "zstd-napi"
import { runCli } from "./support/CliProcess.js"
import { craft } from "./support/CraftedSyncFile.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"

/**
 * Sync files crafted against the reader, read by the CLI bundle. A view of a recursive query named
 * v1_sync_runs: the read never ended (SQLite runs on the main thread: Ctrl-C and SIGTERM did not stop
 * it, only SIGKILL). A SQLite header declaring 2^32 - 1 pages before 64 MiB of zeros: all of them
 * were written to the temporary directory before SQLite said the file was malformed.
 */

const header = Buffer.from("C1ZF\0", "latin1")

describe("a crafted sync file", () => {
  it.scopedLive(
    "a recursive view named as baton's table is refused at once, exit 2, one line, no working copy left",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-crafted-" })
        const file = `${dir}/sync.c1z`
        const tmp = `${dir}/tmp`
        yield* fs.makeDirectory(tmp)
        yield* copySandboxSync(file, "small")
        const crafted = `${dir}/crafted.c1z`
        craft(file, crafted, (db) => {
          const { sync_id } = db.prepare("SELECT sync_id FROM v1_sync_runs").get() as { sync_id: string }
          db.exec(`DROP TABLE v1_sync_runs;
          CREATE VIEW v1_sync_runs AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n)
          SELECT x AS id, '${sync_id}' AS sync_id, '2026-01-01 00:00:00' AS started_at, '2026-01-01 00:00:01' AS ended_at,
            '' AS sync_token, 'full' AS sync_type, '' AS parent_sync_id, '' AS linked_sync_id, 1 AS supports_diff FROM n`)
        })
        const results = yield* Effect.forEach(
          [["resources", "-f", crafted], ["diff", file, crafted]],
          (args) => runCli(args, { env: { TMPDIR: tmp } }).pipe(Effect.timeout("60 seconds"))
        )
        assert.deepStrictEqual(
          results,
          Array(2).fill({
            exitCode: 2,
            stdout: "",
            stderr: `error: ${crafted}: the .c1z is damaged: v1_sync_runs is a view, not a table: baton writes its rows in ` +
              "plain tables, and the reader runs no query a file brings (write it again)\n"
          })
        )
        assert.deepStrictEqual(yield* fs.readDirectory(tmp), [])
      }).pipe(Effect.provide(NodeContext.layer)),
    180_000
  )

  it.scopedLive("a SQLite header declaring more than 3 GiB is refused before anything is written, exit 2", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-crafted-" })
      const tmp = `${dir}/tmp`
      yield* fs.makeDirectory(tmp)
      // SQLite's 100-byte header: 64 KiB pages, 2^32 - 1 of them, valid as SQLite since 3.7.0 keeps it.
      const sqlite = Buffer.alloc(100)
      sqlite.write("SQLite format 3\0", "latin1")
      sqlite.writeUInt16BE(1, 16)
      sqlite.writeUInt32BE(7, 24)
      sqlite.writeUInt32BE(0xffffffff, 28)
      sqlite.writeUInt32BE(7, 92)
      const crafted = `${dir}/crafted.c1z`
      writeFileSync(crafted, Buffer.concat([header, compress(Buffer.concat([sqlite, Buffer.alloc(64 * 1024 * 1024)]))]))
      const result = yield* runCli(["grants", "-f", crafted], { env: { TMPDIR: tmp } })
      assert.deepStrictEqual(result, {
        exitCode: 2,
        stdout: "",
        stderr: `error: ${crafted}: the .c1z is damaged or not a sync file: its SQLite header declares a database of ` +
          "281474976645120 bytes (4294967295 pages of 65536 bytes), more than 3221225472 bytes, the most a sync file " +
          "may hold (baton's own reader's limit); refused before any of it was written\n"
      })
      assert.deepStrictEqual(yield* fs.readDirectory(tmp), [])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
