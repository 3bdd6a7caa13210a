import { openC1z } from "@baton-fivetran/c1z"
import { SyncEngine, type SyncEngineShape } from "@baton-fivetran/connector-core"
import { loggingLayer } from "@baton-fivetran/connector-core/logging"
import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it, layer } from "@effect/vitest"
import { Context, Deferred, Effect, Exit, Layer, Option, Redacted, Schedule, Schema, Scope } from "effect"
import { tmpdir } from "node:os"
import { SyncJob } from "@baton-fivetran/http-api"
import { ServiceConfig } from "../src/ServiceConfig.js"
import { SyncJobs } from "../src/SyncJobs.js"
import { WorkingCopies } from "../src/WorkingCopies.js"
import { awaitJob, harness, Harness, logFields, TestToken } from "./Harness.js"

/**
 * A sync job's logs and spans name the job (and the sync id its .c1z records), whoever started it;
 * a job the service's stop ended says so, apart from one somebody cancelled.
 */

const fileLines = (logs: ReadonlyArray<Record<string, unknown>>) => logs.filter((line) => line["msg"] === "wrote the sync file")

/** The sync id recorded in a job's .c1z. */
const recordedSyncId = (id: string) =>
  Effect.gen(function*() {
    const { dataDir } = yield* Harness
    const path = yield* Path.Path
    return yield* Effect.scoped(Effect.map(Effect.orDie(openC1z(path.join(dataDir, `${id}.c1z`))), (reader) => reader.syncRun.syncId))
  })

layer(harness({ logLevel: "info" }), { excludeTestServices: true, timeout: 60_000 })("a started sync's logs", (it) => {
  it.effect("carry the job and the .c1z's sync id besides the request id of the POST", () =>
    Effect.gen(function*() {
      const { logs, request } = yield* Harness
      const response = yield* request("POST", "/v1/syncs", { token: TestToken, headers: { "x-request-id": "start-it" } })
      const started = yield* Effect.orDie(Effect.flatMap(response.json, Schema.decodeUnknown(SyncJob)))
      const job = yield* awaitJob(started.id)
      assert.strictEqual(job.status, "succeeded")
      const syncId = yield* recordedSyncId(job.id)
      const [wrote, ...more] = fileLines(yield* logs)
      assert.deepStrictEqual(more, [])
      assert.deepInclude(wrote, { request_id: "start-it", job: job.id, c1z_sync_id: syncId, syncId })
      // Every line of the job (the POST's own `http request` line apart) names it.
      const ofTheRequest = (yield* logs).filter((line) => line["request_id"] === "start-it" && line["msg"] !== "http request")
      assert.deepStrictEqual(ofTheRequest.filter((line) => line["job"] !== job.id), [])
    }))
})

layer(harness({ logLevel: "info", syncEveryMillis: 3_600_000 }), { excludeTestServices: true, timeout: 60_000 })(
  "a scheduled sync's logs",
  (it) => {
    it.effect("carry the job, though no request started it", () =>
      Effect.gen(function*() {
        const { client, logs } = yield* Harness
        const job = yield* client.syncs.list().pipe(
          Effect.orDie,
          Effect.map((page) => Option.fromNullable(page.items.find((item) => item.status === "succeeded"))),
          Effect.flatMap(Effect.orElseFail(() => "not yet")),
          Effect.retry(Schedule.spaced("100 millis")),
          Effect.timeout("60 seconds"),
          Effect.orDie
        )
        const [wrote] = fileLines(yield* logs)
        assert.deepInclude(wrote, { job: job.id, c1z_sync_id: yield* recordedSyncId(job.id) })
        assert.notProperty(wrote, "request_id")
      }))
  }
)

/** SyncJobs over `dataDir` with `engine`, its JSON log lines at info collected in `lines`. */
const jobsLayer = (dataDir: string, engine: SyncEngineShape, lines: Array<string>) =>
  SyncJobs.Default.pipe(
    Layer.provide(WorkingCopies.Default),
    Layer.provide(Layer.succeed(ServiceConfig, {
      tokens: [Redacted.make("unused")],
      publicDocs: false,
      publicMetrics: false,
      dataDir,
      tempDir: tmpdir(),
      keepSyncs: 5,
      provisioning: false,
      syncConnections: false,
      exclusionGroups: false,
      concurrency: 1,
      syncEveryMillis: Option.none(),
      maxBodyBytes: 1024
    })),
    Layer.provide(Layer.succeed(SyncEngine, engine)),
    Layer.provide(NodeContext.layer),
    Layer.provide(loggingLayer("info", "json", (line) => lines.push(line)))
  )

/**
 * An engine that logs a line from inside its `sync` span, hands over that span's attributes, and
 * runs until it is interrupted.
 */
const endlessEngine = (running: Deferred.Deferred<ReadonlyMap<string, unknown>>): SyncEngineShape => ({
  run: () =>
    Effect.gen(function*() {
      yield* Effect.logInfo("engine running")
      const span = yield* Effect.orDie(Effect.currentSpan)
      yield* Deferred.succeed(running, span.attributes)
      return yield* Effect.never
    }).pipe(Effect.withSpan("sync"))
})

/** A job started and held running; how it ended once `end` ran, and the lines it logged. */
const endedBy = (end: (jobs: SyncJobs, id: string) => Effect.Effect<unknown>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const dataDir = yield* fs.makeTempDirectoryScoped()
    const lines: Array<string> = []
    const running = yield* Deferred.make<ReadonlyMap<string, unknown>>()
    const scope = yield* Scope.make()
    const jobs = Context.get(yield* Layer.buildWithScope(jobsLayer(dataDir, endlessEngine(running), lines), scope), SyncJobs)
    const { id } = yield* jobs.start()
    const attributes = yield* Deferred.await(running)
    yield* end(jobs, id)
    yield* Scope.close(scope, Exit.void)
    const record = yield* Effect.flatMap(
      Effect.orDie(fs.readFileString(path.join(dataDir, `${id}.json`))),
      Schema.decodeUnknown(Schema.parseJson(SyncJob))
    )
    return { id, attributes, record, logs: lines.map(logFields) }
  }).pipe(Effect.provide(NodeContext.layer))

describe("how a running job ended", () => {
  it.scoped("a cancel is recorded as a cancel; the job's lines and its sync span name it", () =>
    Effect.gen(function*() {
      const { attributes, id, logs, record } = yield* endedBy((jobs, id) => Effect.orDie(jobs.cancel(id)))
      const c1zSyncId = attributes.get("sync.c1z_sync_id")
      assert.strictEqual(attributes.get("sync.job"), id)
      assert.match(String(c1zSyncId), /^[0-9A-Za-z]{27}$/)
      assert.deepStrictEqual([record.status, record.error], ["cancelled", "cancelled before it finished; no file was kept"])
      assert.deepStrictEqual(logs, [
        { level: "info", msg: "engine running", job: id, c1z_sync_id: c1zSyncId },
        {
          level: "warn",
          msg: "sync job cancelled",
          job: id,
          c1z_sync_id: c1zSyncId,
          error: "cancelled before it finished; no file was kept"
        }
      ])
    }).pipe(Effect.orDie))

  it.scoped("the service's stop is recorded as the shutdown, not as a cancel", () =>
    Effect.gen(function*() {
      const { logs, record } = yield* endedBy(() => Effect.void)
      const reason = "cancelled by the service's shutdown before it finished; no file was kept"
      assert.deepStrictEqual([record.status, record.error], ["cancelled", reason])
      assert.deepStrictEqual(logs.filter((line) => line["level"] === "warn").map((line) => line["error"]), [reason])
    }).pipe(Effect.orDie))
})
