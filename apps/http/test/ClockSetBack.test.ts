import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type RunningService, serviceProcessOver, startSyncJob } from "./ServiceProcess.js"

/**
 * Syncs made after the machine's clock was set back (NTP correcting a clock that ran ahead, a VM
 * restored from a snapshot). Jobs are ordered by created_at: each new one sorted as the oldest, so
 * queries went on reading the sync before, and with --keep-syncs 2 retention deleted the new sync
 * as it finished. A clock step cannot be real in a test: a preload sets Node's Date.now back an
 * hour when the process gets SIGUSR2.
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

interface Job {
  readonly id: string
  readonly status: string
  readonly created_at: string
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
      const dir = yield* tempDir
      const dataDir = yield* tempDir
      yield* Effect.promise(() => writeFile(join(dir, "clock-set-back.cjs"), clockSetBackOnSignal))
      const service = yield* serviceProcessOver(dataDir, ["--sandbox", "--port", "0", "--keep-syncs", "2"], {
        env: { BATON_HTTP_TOKENS: Token, NODE_OPTIONS: `--require ${join(dir, "clock-set-back.cjs")}` }
      })
      const first = yield* sync(service)
      const second = yield* sync(service)
      service.child.kill("SIGUSR2")
      yield* service.stderr.pipe(
        Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: (text) => text.includes("clock set back") }),
        Effect.timeout("10 seconds"),
        Effect.orDie
      )
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
