import type { SyncEngineShape } from "@baton-fivetran/connector-core"
import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Context, Deferred, Effect, Exit, Fiber, Layer, Queue, Schema, Scope, TestClock } from "effect"
import { SyncJob } from "@baton-fivetran/http-api"
import { syncProgressAt } from "../../../packages/connector-core/test/support/SyncProgressAt.js"
import { SyncJobs } from "../src/SyncJobs.js"
import { logFields } from "./Harness.js"
import { jobsOver } from "./JobsOver.js"

/**
 * A job's run, over an engine of the test's: its lines and its `sync` span name it, its progress is
 * logged at intervals, and the service's stop is recorded apart from a cancel. (Not beside a
 * `layer(...)` of @effect/vitest with excludeTestServices: in its file, TestClock stops working.)
 */

/** SyncJobs over `dataDir` with `engine`, its JSON log lines at info collected in `lines`. */
const jobsLayer = (dataDir: string, engine: SyncEngineShape, lines: Array<string>) =>
  jobsOver(dataDir, { engine, logLevel: "info", write: (line) => lines.push(line) })

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
          error: "cancelled before it finished; no file was kept",
          reason: "requested"
        }
      ])
    }).pipe(Effect.orDie))

  it.scoped("the service's stop is recorded as the shutdown, not as a cancel", () =>
    Effect.gen(function*() {
      const { logs, record } = yield* endedBy(() => Effect.void)
      const error = "cancelled by the service's shutdown before it finished; no file was kept"
      assert.deepStrictEqual([record.status, record.error], ["cancelled", error])
      assert.deepStrictEqual(
        logs.filter((line) => line["level"] === "warn").map((line) => [line["error"], line["reason"]]),
        [[error, "shutdown"]]
      )
    }).pipe(Effect.orDie))
})

describe("a running job's progress", () => {
  it.scoped("is logged at info every 30 s with the counts so far, and no more once the job ended", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dataDir = yield* fs.makeTempDirectoryScoped()
      const lines: Array<string> = []
      // Progress at 0 s, 20 s and 45 s, then on until cancelled.
      const engine: SyncEngineShape = {
        run: (options) =>
          Effect.gen(function*() {
            const report = options.onProgress ?? (() => Effect.void)
            yield* report(syncProgressAt(1))
            yield* Effect.sleep("20 seconds")
            yield* report(syncProgressAt(2))
            yield* Effect.sleep("25 seconds")
            yield* report(syncProgressAt(3))
            return yield* Effect.never
          })
      }
      const jobs = Context.get(yield* Layer.build(jobsLayer(dataDir, engine, lines)), SyncJobs)
      const { id } = yield* jobs.start()
      const progressLines = () =>
        lines.map(logFields).filter((line) => line["msg"] === "sync job progress").map(({ c1z_sync_id: _, ...line }) => line)
      const line = (requests: number) => ({
        level: "info",
        msg: "sync job progress",
        job: id,
        job_status: "running",
        phase: "users",
        resources: requests * 2,
        entitlements: 0,
        grants: requests * 3,
        requests
      })
      // The job runs in fibers of its own: the clock moves once the engine and the progress ticker
      // both wait on it, or a move made before the ticker began waiting is lost to it.
      yield* Effect.yieldNow().pipe(Effect.zipRight(TestClock.sleeps()), Effect.repeat({ until: (sleeps) => Chunk.size(sleeps) >= 2 }))
      yield* TestClock.adjust("29 seconds")
      assert.deepStrictEqual(progressLines(), [])
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(progressLines(), [line(2)])
      yield* TestClock.adjust("30 seconds")
      assert.deepStrictEqual(progressLines(), [line(2), line(3)])
      yield* Effect.orDie(jobs.cancel(id))
      yield* TestClock.adjust("120 seconds")
      assert.deepStrictEqual(progressLines(), [line(2), line(3)])
    }).pipe(Effect.provide(NodeContext.layer)))
})

/** An engine that hands over the id of the job it runs for, then runs until it is interrupted. */
const announcingEngine = (runs: Queue.Queue<string>): SyncEngineShape => ({
  run: () =>
    Effect.gen(function*() {
      const span = yield* Effect.orDie(Effect.currentSpan)
      yield* Queue.offer(runs, String(span.attributes.get("sync.job")))
      return yield* Effect.never
    }).pipe(Effect.withSpan("sync"))
})

/** `jobs.start()` forked, once the job it queues is listed: the start is still recording it then. */
const startRecording = (jobs: SyncJobs) =>
  Effect.gen(function*() {
    const starter = yield* Effect.fork(jobs.start())
    const listed = yield* Effect.yieldNow().pipe(Effect.zipRight(jobs.list), Effect.repeat({ until: (list) => list.length > 0 }))
    return { starter, queued: listed[0]! }
  })

/** SyncJobs over a fresh data directory whose runs hand over their job's id in `runs`. */
const announcedJobs = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const runs = yield* Queue.unbounded<string>()
  const jobs = Context.get(yield* Layer.build(jobsLayer(yield* fs.makeTempDirectoryScoped(), announcingEngine(runs), [])), SyncJobs)
  return { jobs, runs }
})

/** The job a start is refused for (SyncInProgress). */
const refusedFor = (jobs: SyncJobs) =>
  Effect.map(Effect.flip(jobs.start()), (error) => [error._tag, "job_id" in error ? error.job_id : undefined])

describe("a start cut short", () => {
  it.scoped("a start interrupted (its client hung up) while it records the job still runs it", () =>
    Effect.gen(function*() {
      const { jobs, runs } = yield* announcedJobs
      const { queued, starter } = yield* startRecording(jobs)
      yield* Fiber.interrupt(starter)
      // Before, the job stayed queued and held the slot: nothing ran, every later start was refused.
      assert.strictEqual(yield* Queue.take(runs), queued.id)
      assert.deepStrictEqual(yield* refusedFor(jobs), ["SyncInProgress", queued.id])
      assert.strictEqual((yield* jobs.cancel(queued.id)).status, "cancelled")
      const next = yield* jobs.start()
      assert.strictEqual(yield* Queue.take(runs), next.id)
    }).pipe(Effect.provide(NodeContext.layer), Effect.orDie))

  it.scoped("a job cancelled while its start records it never runs, and leaves the next job its slot", () =>
    Effect.gen(function*() {
      const { jobs, runs } = yield* announcedJobs
      const { queued, starter } = yield* startRecording(jobs)
      assert.strictEqual((yield* jobs.cancel(queued.id)).status, "cancelled")
      yield* Fiber.join(starter)
      const next = yield* jobs.start()
      assert.strictEqual(yield* Queue.take(runs), next.id)
      assert.strictEqual((yield* jobs.get(queued.id)).status, "cancelled")
      // Before, the cancelled job's end also ended the next one's hold, and a third start ran beside it.
      assert.deepStrictEqual(yield* refusedFor(jobs), ["SyncInProgress", next.id])
      assert.strictEqual(yield* Queue.size(runs), 0)
    }).pipe(Effect.provide(NodeContext.layer), Effect.orDie))
})
