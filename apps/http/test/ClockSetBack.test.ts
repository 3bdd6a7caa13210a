import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { silentServer } from "../../../packages/fivetran-client/test/support/SilentServer.js"
import { logFields } from "./Harness.js"
import { manyRows, openExport } from "./HeldExports.js"
import { awaitSyncJob, type RunningService, sandboxServiceArgs, serviceProcessOver, startSyncJob } from "./ServiceProcess.js"

/**
 * Syncs made after the machine's clock was set back (NTP correcting a clock that ran ahead, a VM
 * restored from a snapshot). Jobs are ordered by created_at: each new one sorted as the oldest, so
 * queries went on reading the sync before, and with --keep-syncs 2 retention deleted the new sync
 * as it finished. Work in progress as the clock steps back is timed by the monotonic clock: a
 * request's duration was negative, a rate-limit wait counted nothing, a sync's progress stopped
 * counting requests until its next phase, and a download whose client stopped reading was cut an hour
 * late. A clock step cannot be real in a test: a preload sets
 * Node's Date.now back an hour when the process gets SIGUSR2.
 */

const Token = "clock-set-back-test-token-0123456"

const clockSetBackOnSignal = `const now = Date.now
let offset = 0
Date.now = () => now() + offset
process.on("SIGUSR2", () => {
  offset -= 3_600_000
  process.stderr.write("clock set back\\n")
})
`

const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "baton-http-clock-set-back-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

/** The preload, written in a directory of the test's: the NODE_OPTIONS that make a service require it. */
const clockSetBackPreload = Effect.gen(function*() {
  const dir = yield* tempDir
  yield* Effect.promise(() => writeFile(join(dir, "clock-set-back.cjs"), clockSetBackOnSignal))
  return `--require ${join(dir, "clock-set-back.cjs")}`
})

/** Sets the service's clock back an hour, and waits until it has. */
const setBack = (service: RunningService) =>
  Effect.gen(function*() {
    service.child.kill("SIGUSR2")
    yield* service.stderr.pipe(
      Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: (text) => text.includes("clock set back") }),
      Effect.timeout("10 seconds"),
      Effect.orDie
    )
  })

interface Job {
  readonly id: string
  readonly status: string
  readonly created_at: string
}

interface SummedJob {
  readonly status: string
  readonly progress: { readonly phase: string; readonly requests: number } | null
  readonly summary: { readonly retries: number; readonly rateLimitWaitMillis: number }
}

const getJson = <A>(service: RunningService, path: string) =>
  Effect.promise(() =>
    fetch(`${service.url}${path}`, { headers: { authorization: `Bearer ${Token}` } }).then((r) => r.json() as Promise<A>)
  )

const listed = (service: RunningService) => Effect.map(getJson<{ items: ReadonlyArray<Job> }>(service, "/v1/syncs"), (list) => list.items)

/**
 * Starts a sync and waits until no job is unfinished: the list, not the job, as retention deleted
 * the new job at its end before (awaiting it waited for a job no longer there).
 */
const sync = (service: RunningService) =>
  Effect.gen(function*() {
    const started = yield* startSyncJob(service, Token)
    yield* listed(service).pipe(
      Effect.repeat({
        schedule: Schedule.spaced("100 millis"),
        until: (jobs) => jobs.every((job) => ["succeeded", "failed", "cancelled"].includes(job.status))
      }),
      Effect.timeout("60 seconds"),
      Effect.orDie
    )
    return started.id
  })

describe("syncs after the clock was set back", () => {
  it.scopedLive("the newest sync is still the last one made: queries read it and retention keeps it", () =>
    Effect.gen(function*() {
      const dataDir = yield* tempDir
      const service = yield* serviceProcessOver(dataDir, ["--sandbox", "--port", "0", "--keep-syncs", "2"], {
        env: { BATON_HTTP_TOKENS: Token, NODE_OPTIONS: yield* clockSetBackPreload }
      })
      const first = yield* sync(service)
      const second = yield* sync(service)
      yield* setBack(service)
      const third = yield* sync(service)

      const jobs = yield* listed(service)
      assert.deepStrictEqual(jobs.map((job) => [job.id, job.status]), [[third, "succeeded"], [second, "succeeded"]])
      const [newest, before] = jobs
      // Just after the newest job's creation: the clock reads an hour earlier.
      assert.strictEqual(Date.parse(newest!.created_at), Date.parse(before!.created_at) + 1)
      assert.strictEqual((yield* getJson<{ sync_id: string }>(service, "/v1/resources?page_size=1")).sync_id, third)
      const files = (yield* Effect.promise(() => readdir(dataDir))).filter((name) => name.endsWith(".c1z")).sort()
      assert.deepStrictEqual(files, [`${second}.c1z`, `${third}.c1z`].sort())
      assert.notInclude(files, `${first}.c1z`)
    }), 120_000)
})

describe("a service whose clock is set back while it works", () => {
  it.scopedLive("a request in progress is logged and metered with the time it took, not a negative one", () =>
    Effect.gen(function*() {
      const fivetran = yield* silentServer
      const service = yield* serviceProcessOver(
        yield* tempDir,
        ["--base-url", fivetran.baseUrl, "--port", "0", "--log-format", "json", "--readiness-timeout", "2s"],
        {
          env: {
            BATON_API_KEY: "key_of_the_test",
            BATON_API_SECRET: "secret_of_the_test",
            BATON_HTTP_TOKENS: Token,
            NODE_OPTIONS: yield* clockSetBackPreload
          }
        }
      )
      const before = performance.now()
      // Its body read too: the service's duration ends with the answer's body, after the head fetch resolves with.
      const answer = yield* Effect.fork(
        Effect.promise(() =>
          fetch(`${service.url}/readyz`, { headers: { authorization: `Bearer ${Token}` } }).then(async (r) => {
            await r.arrayBuffer()
            return r.status
          })
        )
      )
      // The readiness check has reached Fivetran, which never answers: /readyz is in progress.
      yield* fivetran.requestLines.pipe(
        Effect.repeat({ schedule: Schedule.spaced("20 millis"), until: (lines) => lines.length > 0 }),
        Effect.timeout("10 seconds"),
        Effect.orDie
      )
      yield* setBack(service)
      assert.strictEqual(yield* answer.await.pipe(Effect.flatten), 503)
      const elapsed = performance.now() - before

      const readyzLines = Effect.map(service.stderr, (text) =>
        text.split("\n").filter((line) => line.startsWith("{")).map(logFields)
          .filter((line) => line["msg"] === "http request" && line["route"] === "/readyz"))
      // Written as the answer is sent: read once it is there.
      yield* readyzLines.pipe(
        Effect.repeat({ schedule: Schedule.spaced("20 millis"), until: (found) => found.length > 0 }),
        Effect.timeout("10 seconds"),
        Effect.orDie
      )
      const logged = yield* readyzLines
      assert.strictEqual(logged.length, 1)
      // Was -3597969: the wall clock's difference.
      const millis = logged[0]!["duration_ms"] as number
      assert.isAtLeast(millis, 2_000)
      // The service ends its timing once Node has handed the body on, which a loaded machine can run
      // after the test has read it (2,058 against 2,049 ms, 2026-12-07); a clock set back an hour is
      // far past this bound either way.
      assert.isAtMost(millis, elapsed + 1_000)
      const metrics = yield* Effect.promise(() =>
        fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${Token}` } }).then((r) => r.text())
      )
      const sum = metrics.split("\n").find((line) =>
        line.startsWith("http_server_request_duration_seconds_sum{") && line.includes(`route="/readyz"`)
      )
      assert.isDefined(sum)
      assert.strictEqual(Math.round(Number(sum!.split(" ").at(-1)) * 1000), millis)
    }), 120_000)

  it.scopedLive("a rate-limit wait it spans counts whole in the sync's rateLimitWaitMillis", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const launch = yield* sandboxServiceArgs(Token)
      const service = yield* serviceProcessOver(yield* tempDir, launch.args, {
        env: { ...launch.env, NODE_OPTIONS: yield* clockSetBackPreload }
      })
      yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 3 } })
      const job = yield* startSyncJob(service, Token)
      yield* awaitSyncJob(service, Token, job.id, "waiting_for_rate_limit")
      yield* setBack(service)
      yield* awaitSyncJob(service, Token, job.id, ["succeeded", "failed"])

      const done = yield* getJson<SummedJob>(service, `/v1/syncs/${job.id}`)
      // Was 0: the wait's end, read an hour earlier than its start, counted nothing.
      assert.deepStrictEqual([done.status, done.summary.retries, done.summary.rateLimitWaitMillis], ["succeeded", 1, 3_000])
    }).pipe(Effect.provide(Sandbox.layer({ snapshot: generatePreset("small"), port: 0 }))), 120_000)

  it.scopedLive("a sync's progress goes on counting its requests within the phase the step came in", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const launch = yield* sandboxServiceArgs(Token)
      const service = yield* serviceProcessOver(yield* tempDir, launch.args, {
        env: { ...launch.env, NODE_OPTIONS: yield* clockSetBackPreload }
      })
      // Each answer 50 ms late: the teams phase takes a hundred requests, over seconds.
      yield* sandbox.setFaults({ latency: { minMillis: 50, maxMillis: 50 } })
      const job = yield* startSyncJob(service, Token)
      const progress = getJson<SummedJob>(service, `/v1/syncs/${job.id}`).pipe(Effect.map((read) => read.progress))
      yield* progress.pipe(
        Effect.repeat({
          schedule: Schedule.spaced("20 millis"),
          until: (read) => read !== null && read.phase === "teams" && read.requests >= 3
        }),
        Effect.timeout("30 seconds"),
        Effect.orDie
      )
      yield* setBack(service)
      const counts = new Set<number>()
      yield* progress.pipe(
        Effect.tap((read) => Effect.sync(() => read?.phase === "teams" && counts.add(read.requests))),
        Effect.repeat({ schedule: Schedule.spaced("20 millis"), until: (read) => read?.phase !== "teams" }),
        Effect.timeout("60 seconds"),
        Effect.orDie
      )
      // Was one count: the throttle, timed by the wall clock, let no request's count through until the next phase.
      assert.isAbove(counts.size, 1, [...counts].join(", "))
    }).pipe(Effect.provide(Sandbox.layer({ snapshot: generatePreset("medium"), port: 0 }))), 120_000)

  it.scopedLive("an export whose client stopped reading is cut at --download-stall-timeout all the same", () =>
    Effect.gen(function*() {
      const launch = yield* sandboxServiceArgs(Token)
      const service = yield* serviceProcessOver(yield* tempDir, [...launch.args, "--log-format", "json"], {
        env: { ...launch.env, BATON_HTTP_DOWNLOAD_STALL_TIMEOUT: "5s", NODE_OPTIONS: yield* clockSetBackPreload }
      })
      const job = yield* startSyncJob(service, Token)
      yield* awaitSyncJob(service, Token, job.id, "succeeded")
      // Left unread: its sheet outgrows the socket buffers, so the service waits on the client.
      const held = yield* openExport(service.url, Token)
      const closed = new Promise<boolean>((resolve) => held.response.once("close", () => resolve(held.response.complete)))
      // The service looks at the answer every 5 s / 12: within a second it has seen the client take nothing.
      yield* Effect.sleep("1 second")
      yield* setBack(service)
      const cutLines = Effect.map(service.stderr, (text) =>
        text.split("\n").filter((line) => line.startsWith("{")).map(logFields)
          .filter((line) => line["route"] === "/v1/export" && line["outcome"] === "aborted"))
      // Was not cut for an hour more: the wait, timed by the wall clock, began an hour ahead of it.
      yield* cutLines.pipe(
        Effect.repeat({ schedule: Schedule.spaced("100 millis"), until: (lines) => lines.length > 0 }),
        Effect.timeout("60 seconds"),
        Effect.orDie
      )
      assert.deepStrictEqual((yield* cutLines).map((line) => line["error"]), [
        "the client took no byte of the answer for 5 s: the service closed the connection"
      ])
      // Read now, what it holds ends without the last chunk.
      held.response.resume()
      assert.isFalse(yield* Effect.promise(() => closed))
    }).pipe(Effect.provide(Sandbox.layer({ snapshot: manyRows, port: 0 }))), 120_000)
})
