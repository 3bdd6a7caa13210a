import { SyncSink } from "@baton-fivetran/connector-core"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { decompress } from "zstd-napi"
import { syncRows } from "../../../packages/c1z/test/fixtures.js"
import { fillLeaving, smallDisk, smallDiskSuite, smallDiskUnavailable } from "../../../packages/c1z/test/SmallDisk.js"
import { syncFileSink } from "../src/SyncFileSink.js"
import { awaitSyncJob, runServiceOnce, serviceProcessOver, startSyncJob } from "./ServiceProcess.js"

/**
 * A sync job whose data directory's disk fills. Its `error` said `the disk is full (SQLITE_FULL)`,
 * and the log's text to check the path, free disk space and permissions: not which disk, nor how
 * much a sync needs. It now says the data directory's disk and about how much, still without the
 * server's paths, which the log names.
 */

const Token = "full-data-dir-test-token-0123"

describe.skipIf(smallDiskUnavailable !== undefined)(smallDiskSuite("a sync job whose data directory fills"), () => {
  it.scopedLive(
    "as its rows are written, fails saying the data directory's disk filled and how far the database got",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* smallDisk(2048)
        const service = yield* serviceProcessOver(dataDir, ["--sandbox", "medium", "--port", "0"], { env: { BATON_HTTP_TOKENS: Token } })
        const started = yield* startSyncJob(service, Token)
        const job = yield* awaitSyncJob(service, Token, started.id, ["failed", "succeeded"])
        assert.deepStrictEqual([job.status, job.error], [
          "failed",
          "could not write the sync output: could not write sync rows: the data directory's disk is full (SQLITE_FULL): " +
          "the sync database there had reached 1.7 MiB and was still growing; a sync needs room beside the file for its whole " +
          "database, then about 1/15 of it more for the compressed file: free space on the data directory's volume (--data-dir) " +
          "or give it a larger one; the service's log names the file"
        ])
        // The job's record, the service's lock, key and temporary directory: no scratch file is left.
        assert.deepStrictEqual((yield* fs.readDirectory(dataDir)).sort(), [
          `${started.id}.json`,
          "baton-fivetran-http.lock",
          "page-token.key",
          "tmp"
        ])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "a failed job whose record found no room is written once there is: listed failed after a restart, not unknown",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* smallDisk(4096)
        const args = ["--sandbox", "--port", "0"]
        const env = { env: { BATON_HTTP_TOKENS: Token } }
        const first = yield* serviceProcessOver(dataDir, args, env)
        const synced = yield* startSyncJob(first, Token)
        assert.strictEqual((yield* awaitSyncJob(first, Token, synced.id, ["failed", "succeeded"])).status, "succeeded")
        yield* fillLeaving(dataDir, 0)
        const started = yield* startSyncJob(first, Token)
        const failed = yield* awaitSyncJob(first, Token, started.id, ["failed", "succeeded"])
        assert.strictEqual(failed.status, "failed")
        // Room again (the operator freed some), then the service is stopped and started again.
        yield* fs.remove(`${dataDir}/filler`)
        assert.strictEqual(yield* first.stop, 0)

        const second = yield* serviceProcessOver(dataDir, args, env)
        const listed = yield* Effect.promise(() =>
          fetch(`${second.url}/v1/syncs/${started.id}`, { headers: { authorization: `Bearer ${Token}` } })
            .then(async (response) => [response.status, await response.json()] as const)
        )
        // Before, 404 "no sync job": its only record had been the one in memory.
        assert.deepStrictEqual(listed, [200, failed])
        assert.include(yield* first.stderr, "wrote a sync job record that could not be written before")
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "a start that cannot write the page-token key leaves no temporary key file; one a killed start left is removed",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        // Room for the lock file, none for the key: the key's temporary file is made, then cannot be filled.
        const full = yield* smallDisk(300)
        yield* fillLeaving(full, 4096)
        const refused = yield* runServiceOnce(["--sandbox", "--port", "0", "--data-dir", full], {
          cwd: full,
          env: { BATON_HTTP_TOKENS: Token }
        })
        assert.strictEqual(refused.code, 2, refused.stderr)
        assert.include(refused.stderr, "page-token.key")
        // Before, an empty page-token.key.<pid>.tmp stayed, one more each start.
        assert.deepStrictEqual((yield* fs.readDirectory(full)).filter((name) => name.startsWith("page-token")), [])

        const dataDir = yield* fs.makeTempDirectoryScoped()
        yield* fs.writeFileString(`${dataDir}/page-token.key.4242.tmp`, "")
        const service = yield* serviceProcessOver(dataDir, ["--sandbox", "--port", "0"], { env: { BATON_HTTP_TOKENS: Token } })
        assert.deepStrictEqual((yield* fs.readDirectory(dataDir)).filter((name) => name.startsWith("page-token")), ["page-token.key"])
        assert.strictEqual(yield* service.stop, 0)
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive("as its file is compressed, fails saying the data directory's disk filled and about how much more the file needs", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const fullTexts: Array<string> = []
      const writeSync = (path: string) =>
        SyncSink.pipe(
          Effect.flatMap((sink) => sink.write(Stream.fromIterable(syncRows))),
          Effect.provide(syncFileSink(path, { syncId: "2pD4bYQfRSoPzvkLJvyCkZCiSdc" }, Effect.void, (fullText) =>
            Effect.sync(() =>
              fullTexts.push(fullText)
            )))
        )
      // The same sync written where there is room gives its database's size: room for that, and not a byte more.
      const roomy = `${yield* fs.makeTempDirectoryScoped()}/job.c1z`
      yield* writeSync(roomy)
      const databaseBytes = decompress((yield* fs.readFile(roomy)).subarray(5)).length
      const dataDir = yield* smallDisk(4096)
      yield* fillLeaving(dataDir, databaseBytes)
      const failure = yield* Effect.flip(writeSync(`${dataDir}/job.c1z`))
      assert.strictEqual(
        failure.message,
        "could not write the sync output: could not write the compressed sync database: the data directory's disk is full (ENOSPC): " +
          "the sync database there is 1.4 MiB, and the file compressed from it needs about 0.1 MiB more beside it (1/15 of the database) " +
          "before it replaces the sync file: free space on the data directory's volume (--data-dir) or give it a larger one; " +
          "the service's log names the file"
      )
      assert.deepStrictEqual(fullTexts, [
        `${dataDir}/job.c1z: could not write the compressed sync database: no space left in ${dataDir}, the sync file's directory (ENOSPC): ` +
        "the sync database there is 1.4 MiB, and the file compressed from it needs about 0.1 MiB more beside it (1/15 of the database) " +
        `before it replaces the sync file: free space in ${dataDir}, or write the sync file to a disk with more room`
      ])
      assert.deepStrictEqual(yield* fs.readDirectory(dataDir), ["filler"])
    }).pipe(Effect.provide(NodeContext.layer)))
})
