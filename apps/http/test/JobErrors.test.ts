import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { awaitJob, harness, Harness, logFields } from "./Harness.js"
import { TestCaller } from "./TestCaller.js"
import { awaitSyncJob, sandboxServiceOver, serviceProcessOver, startSyncJob, type SyncJobAnswer } from "./ServiceProcess.js"

/**
 * A job's `error` is served to API callers and stored: it says what failed without the server's
 * paths, which stay in the log.
 */

const Token = "job-errors-test-token-0123"
// Its fingerprint, which the lines of a sync it started carry (CallerIdentity.test.ts).
const TokenCaller = "token:ba47c2c452c9"

describe("a sync that cannot write its file", () => {
  it.scopedLive(
    "fails with an error naming the step and the disk's problem, not the file; the log names the file",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* fs.makeTempDirectoryScoped()
        // 100 KiB per file: the sync database passes it as it is made.
        const service = yield* serviceProcessOver(
          dataDir,
          ["--sandbox", "--port", "0", "--log-format", "json"],
          // The token in its variable: a --token would add its warning to the lines counted below.
          { env: { BATON_HTTP_TOKENS: Token }, fileSizeLimitBlocks: 200 }
        )
        const headers = { authorization: `Bearer ${Token}` }
        const get = (path: string) =>
          Effect.promise(() => fetch(`${service.url}${path}`, { headers }).then(async (r) => [r.status, await r.json()] as const))
        const started = yield* startSyncJob(service, Token)
        yield* awaitSyncJob(service, Token, started.id, "failed")

        const error = "could not write the sync output: could not create the sync database: " +
          "a disk I/O error (SQLITE_IOERR_WRITE); the service's log names the file"
        const [status, job] = yield* get(`/v1/syncs/${started.id}`)
        assert.deepStrictEqual([status, (job as SyncJobAnswer).status, (job as SyncJobAnswer).error], [200, "failed", error])
        const [, listed] = yield* get("/v1/syncs")
        assert.deepStrictEqual((listed as { items: ReadonlyArray<SyncJobAnswer> }).items.map((item) => item.error), [error])
        const stored = JSON.parse(yield* fs.readFileString(`${dataDir}/${started.id}.json`)) as SyncJobAnswer
        assert.strictEqual(stored.error, error)
        // Counted by why it failed: the sync file, not Fivetran.
        const scraped = yield* Effect.promise(() => fetch(`${service.url}/metrics`, { headers }).then((r) => r.text()))
        assert.deepStrictEqual(scraped.split("\n").filter((line) => /^baton_sync_jobs_total\S* [1-9]/.test(line)), [
          `baton_sync_jobs_total{outcome="failed",reason="storage"} 1`
        ])

        const lines = (yield* service.stderr).split("\n").filter((line) => line.startsWith("{")).map(logFields)
        // One line for the one failure: the job's error, and the writer's naming the file as `cause`, at error.
        const logged = lines.filter((line) => line.level !== "info")
          .map(({ c1z_sync_id, request_id, ...line }) => [typeof c1z_sync_id, typeof request_id, line])
        assert.strictEqual(logged.length, 1)
        const fullText = (logged[0]![2] as { cause: string }).cause
        assert.deepStrictEqual(logged, [["string", "string", {
          level: "error",
          msg: "sync job failed",
          caller: TokenCaller,
          job: started.id,
          error,
          reason: "storage",
          cause: fullText
        }]])
        assert.match(
          fullText,
          new RegExp(
            `^${dataDir}/\\.${started.id}\\.c1z\\.${service.child.pid}\\.[0-9a-f]{12}\\.db: could not create the sync database: ` +
              "disk I/O error \\(check the path, free disk space and permissions\\)$"
          )
        )
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})

describe("a sync whose answers keep arriving cut off", () => {
  it.scopedLive(
    "fails saying how often the request was tried, as a 5xx or a dropped connection does",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const sandbox = yield* Sandbox
        const dataDir = yield* fs.makeTempDirectoryScoped()
        const service = yield* sandboxServiceOver(dataDir, Token)
        yield* sandbox.setFaults({ truncatedShare: 1 })
        const started = yield* startSyncJob(service, Token)
        const job = yield* awaitSyncJob(service, Token, started.id, "failed", "90 seconds")

        assert.match(
          job.error ?? "",
          /^could not list roles: GET \/v1\/roles: unexpected response body: cut off after [\d,]+ bytes, in the middle of its JSON; gave up after 5 attempts$/
        )
      }).pipe(
        Effect.provide(Sandbox.layer({ snapshot: generatePreset("small"), port: 0 })),
        Effect.provide(NodeContext.layer)
      ),
    120_000
  )
})

layer(harness({ afterEngineRun: Effect.die(new Error("ENOENT: no such file or directory, open '/data/tmp/c1z-1/db'")) }), {
  excludeTestServices: true,
  timeout: 60_000
})("a bug in a sync", (it) => {
  it.effect("fails its job as an internal error without the defect's text, which is in the log", () =>
    Effect.gen(function*() {
      const { client, dataDir, logs } = yield* Harness
      const fs = yield* FileSystem.FileSystem
      const started = yield* Effect.orDie(client.syncs.start())
      const job = yield* awaitJob(started.id)

      const error = "internal error (a bug in the service); the service's log has the details"
      assert.deepStrictEqual([job.status, job.error], ["failed", error])
      const stored = JSON.parse(yield* Effect.orDie(fs.readFileString(`${dataDir}/${job.id}.json`))) as SyncJobAnswer
      assert.strictEqual(stored.error, error)
      // One line for the one failure: the job's error and the defect's text, at error.
      const logged = (yield* logs).map(({ c1z_sync_id, request_id, ...line }) => [typeof c1z_sync_id, typeof request_id, line])
      assert.deepStrictEqual(logged, [["string", "string", {
        level: "error",
        msg: "sync job failed",
        caller: TestCaller,
        job: job.id,
        error,
        reason: "internal",
        cause: "ENOENT: no such file or directory, open '/data/tmp/c1z-1/db'"
      }]])
    }))
})
