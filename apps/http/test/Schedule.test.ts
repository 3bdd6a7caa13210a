import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { SyncJob, type SyncScheduleView } from "@baton-fivetran/http-api"
import { harness, Harness, runSync, TestToken } from "./Harness.js"

layer(harness({ syncEveryMillis: 1_500 }), { excludeTestServices: true, timeout: 120_000 })("--sync-every", (it) => {
  it.effect("runs a sync at start-up and then on schedule; GET /v1/schedule shows the next run and the last job", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      // Two scheduled syncs finished (real time: generous bound on a loaded machine).
      const poll: Effect.Effect<ReadonlyArray<SyncJob>> = client.syncs.list().pipe(
        Effect.orDie,
        Effect.map(({ items }) => items.filter((job) => job.status === "succeeded")),
        Effect.flatMap((done) => done.length >= 2 ? Effect.succeed(done) : Effect.zipRight(Effect.sleep("100 millis"), poll))
      )
      const succeeded = yield* poll.pipe(
        Effect.timeoutFail({ duration: "100 seconds", onTimeout: () => new Error("two scheduled syncs did not finish") }),
        Effect.orDie
      )
      assert.isAtLeast(succeeded.length, 2)
      assert.isTrue(succeeded.every((job) => job.summary?.requests === 14))
      const schedule = yield* Effect.orDie(client.syncs.schedule())
      assert.strictEqual(schedule.every_seconds, 1.5)
      assert.isNotNull(schedule.next_run_at)
      assert.isNull(schedule.delayed)
      assert.isNotNull(schedule.last)
      assert.include(succeeded.map((job) => job.id).concat(schedule.last!.id), schedule.last!.id)
    }))
})

// A small sync costs 14 requests; 20 per 6 s window with the 20% reserve (4) holds one sync, not two.
layer(harness({ syncEveryMillis: 1_500, rateLimit: { hourly: 20, windowSeconds: 6 } }), {
  excludeTestServices: true,
  timeout: 120_000
})("--sync-every on a budget that holds one sync", (it) => {
  it.effect("a scheduled sync that would not fit the budget is delayed, not failed, and no request is refused", () =>
    Effect.gen(function*() {
      const { client, sandbox } = yield* Harness
      // The second slot comes while the first sync's requests still fill the window: it is delayed.
      const delayed: Effect.Effect<string> = client.syncs.schedule().pipe(
        Effect.orDie,
        Effect.flatMap((schedule) =>
          schedule.delayed !== null ? Effect.succeed(schedule.delayed) : Effect.zipRight(Effect.sleep("20 millis"), delayed)
        )
      )
      const reason = yield* delayed.pipe(
        Effect.timeoutFail({ duration: "100 seconds", onTimeout: () => new Error("no scheduled sync was delayed") }),
        Effect.orDie
      )
      assert.strictEqual(reason, "delayed until the rate-limit budget allows a sync of ~14 requests")
      const poll: Effect.Effect<ReadonlyArray<SyncJob>> = client.syncs.list().pipe(
        Effect.orDie,
        Effect.map(({ items }) => items.filter((job) => job.status === "succeeded" || job.status === "failed")),
        Effect.flatMap((done) => done.length >= 2 ? Effect.succeed(done) : Effect.zipRight(Effect.sleep("100 millis"), poll))
      )
      const done = yield* poll.pipe(
        Effect.timeoutFail({ duration: "100 seconds", onTimeout: () => new Error("two scheduled syncs did not finish") }),
        Effect.orDie
      )
      assert.deepStrictEqual(done.slice(0, 2).map((job) => [job.status, job.summary?.requests]), [
        ["succeeded", 14],
        ["succeeded", 14]
      ])
      const log = yield* sandbox.requestLog
      assert.deepStrictEqual(log.filter((entry) => entry.status !== 200).map((entry) => entry.status), [])
    }))
})

// One sync kept: the first manual sync after the scheduled one deletes it.
layer(harness({ syncEveryMillis: 3_600_000, keepSyncs: 1 }), { excludeTestServices: true, timeout: 120_000 })(
  "--sync-every with --keep-syncs 1",
  (it) => {
    it.effect("GET /v1/schedule still shows the last scheduled job once retention has deleted it, without its file", () =>
      Effect.gen(function*() {
        const { client, request } = yield* Harness
        const ended: Effect.Effect<SyncJob> = client.syncs.schedule().pipe(
          Effect.orDie,
          Effect.flatMap((schedule) =>
            schedule.last !== null && schedule.last.status === "succeeded"
              ? Effect.succeed(schedule.last)
              : Effect.zipRight(Effect.sleep("50 millis"), ended)
          )
        )
        const scheduled = yield* ended.pipe(
          Effect.timeoutFail({ duration: "100 seconds", onTimeout: () => new Error("the start-up sync did not finish") }),
          Effect.orDie
        )
        assert.isAbove(scheduled.file_bytes ?? 0, 0)
        const manual = yield* runSync
        assert.strictEqual(manual.status, "succeeded")
        assert.deepStrictEqual((yield* Effect.orDie(client.syncs.list())).items.map((job) => job.id), [manual.id])
        const gone = yield* request("GET", `/v1/syncs/${scheduled.id}`, { token: TestToken })
        assert.deepStrictEqual([gone.status, yield* Effect.orDie(gone.json)], [
          404,
          { error: "NotFound", message: `no sync job ${scheduled.id}` }
        ])

        const schedule = yield* request("GET", "/v1/schedule", { token: TestToken })
        assert.strictEqual(schedule.status, 200)
        const body = (yield* Effect.orDie(schedule.json)) as { last: unknown }
        assert.deepStrictEqual(body.last, Schema.encodeSync(SyncJob)({ ...scheduled, file_bytes: null }))
      }))
  }
)

const hour = 3_600_000

/** The schedule once its first run has a time: from then on the schedule sleeps, starting nothing. */
const plannedSchedule: Effect.Effect<typeof SyncScheduleView.Type, never, Harness> = Effect.flatMap(
  Harness,
  ({ client }) =>
    client.syncs.schedule().pipe(
      Effect.orDie,
      Effect.flatMap((schedule) =>
        schedule.next_run_at !== null ? Effect.succeed(schedule) : Effect.zipRight(Effect.sleep("20 millis"), plannedSchedule)
      )
    )
)

/** A service restarted over `dataDir` with `--sync-every`: its schedule once planned, the jobs it lists, its info lines. */
const restartedWithSchedule = (dataDir: string, syncEveryMillis: number) =>
  Effect.gen(function*() {
    const { client, logs } = yield* Harness
    const schedule = yield* plannedSchedule.pipe(
      Effect.timeoutFail({ duration: "100 seconds", onTimeout: () => new Error("the schedule planned no run") }),
      Effect.orDie
    )
    const listed = (yield* Effect.orDie(client.syncs.list())).items.map((job) => job.id)
    return { schedule, listed, lines: yield* logs }
  }).pipe(Effect.provide(harness({ dataDir, syncEveryMillis, logLevel: "info" })))

describe("--sync-every after a restart", () => {
  it.scoped(
    "goes on from the newest succeeded sync the data directory keeps: no sync at start-up, the next an interval after it",
    () =>
      Effect.gen(function*() {
        const dir = yield* (yield* FileSystem.FileSystem).makeTempDirectoryScoped()
        const first = yield* runSync.pipe(Effect.provide(harness({ dataDir: dir })))
        assert.strictEqual(first.status, "succeeded")

        const { lines, listed, schedule } = yield* restartedWithSchedule(dir, hour)
        assert.deepStrictEqual(listed, [first.id])
        assert.strictEqual(schedule.last?.id, first.id)
        assert.isNull(schedule.delayed)
        const started = Date.parse(first.started_at!)
        const next = Date.parse(schedule.next_run_at!)
        assert.isAtLeast(next, started + 0.9 * hour)
        assert.isAtMost(next, started + 1.1 * hour)
        // One msg for an alert or a query, whichever sync and time: those are fields.
        assert.deepStrictEqual(lines.filter((line) => String(line["msg"]).startsWith("scheduled sync: going on")), [{
          level: "info",
          msg: "scheduled sync: going on from the newest kept sync",
          job: first.id,
          started_at: first.started_at,
          next_run_at: schedule.next_run_at
        }])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scoped("a succeeded sync whose interval has passed does not hold the start-up sync back", () =>
    Effect.gen(function*() {
      const dir = yield* (yield* FileSystem.FileSystem).makeTempDirectoryScoped()
      const first = yield* runSync.pipe(Effect.provide(harness({ dataDir: dir })))
      // Past the interval's longest slot (500 ms + 10%) after the sync's start, whatever this machine's pace.
      yield* Effect.sleep("600 millis")

      const { listed, schedule } = yield* restartedWithSchedule(dir, 500)
      assert.strictEqual(listed.length, 2)
      assert.strictEqual(listed[1], first.id)
      assert.strictEqual(schedule.last?.id, listed[0])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scoped(
    "a scheduled sync the budget would not hold is delayed after a restart too, before any request told the budget",
    () =>
      Effect.gen(function*() {
        const dir = yield* (yield* FileSystem.FileSystem).makeTempDirectoryScoped()
        const first = yield* runSync.pipe(Effect.provide(harness({ dataDir: dir })))
        assert.strictEqual(first.summary?.requests, 14)
        // Past the interval's longest slot, so the restarted schedule runs at once.
        yield* Effect.sleep("600 millis")
        // 16 a window, 4 kept in reserve: the 14 requests the last sync cost do not fit.
        const restarted = Effect.gen(function*() {
          const { client, logs, sandbox } = yield* Harness
          const planned: Effect.Effect<typeof SyncScheduleView.Type> = client.syncs.schedule().pipe(
            Effect.orDie,
            Effect.flatMap((schedule) =>
              schedule.delayed !== null || schedule.last !== null
                ? Effect.succeed(schedule)
                : Effect.zipRight(Effect.sleep("20 millis"), planned)
            )
          )
          const schedule = yield* planned.pipe(
            Effect.timeoutFail({ duration: "100 seconds", onTimeout: () => new Error("the schedule neither delayed nor ran") }),
            Effect.orDie
          )
          const readAt = Date.now()
          const sent = (yield* sandbox.requestLog).map((entry) => `${entry.method} ${entry.path}`)
          const delays = (yield* logs).filter((line) => String(line["msg"]).startsWith("scheduled sync delayed"))
          return { delays, readAt, schedule, sent }
        }).pipe(Effect.provide(harness({ dataDir: dir, syncEveryMillis: 500, rateLimit: { hourly: 16, windowSeconds: 60 } })))
        const { delays, readAt, schedule, sent } = yield* restarted
        // One msg whatever the cost and the delay, those as fields: the delay's end is the next run's.
        assert.deepStrictEqual(delays, [{
          level: "warn",
          msg: "scheduled sync delayed: the last one cost more requests than the rate-limit budget allows now",
          last_sync_requests: 14,
          delayed_until: schedule.next_run_at
        }])
        // Before: this process had no answer yet, so the sync started blind, spent the budget down to
        // the reserve and waited there (or failed, past --max-rate-limit-wait) where it would have been delayed.
        assert.strictEqual(schedule.delayed, "delayed until the rate-limit budget allows a sync of ~14 requests")
        // No later than one window on: by then the previous process's requests have left it (the
        // estimate, 3 requests short spread over the window after this process's one, said ~70 s).
        assert.isAtMost(Date.parse(schedule.next_run_at!), readAt + 60_000)
        // Nothing started: the one request sent asked the budget.
        assert.isNull(schedule.last)
        assert.deepStrictEqual(sent, ["GET /v1/account/info"])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scoped("a sync that started ahead of this machine's clock holds the schedule back one interval at most", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const first = yield* runSync.pipe(Effect.provide(harness({ dataDir: dir })))
      const metadata = `${dir}/${first.id}.json`
      const job = JSON.parse(yield* fs.readFileString(metadata)) as Record<string, unknown>
      yield* fs.writeFileString(metadata, JSON.stringify({ ...job, started_at: "2099-01-01T00:00:00.000Z" }))

      const { listed, schedule } = yield* restartedWithSchedule(dir, hour)
      assert.deepStrictEqual(listed, [first.id])
      assert.isAtMost(Date.parse(schedule.next_run_at!), Date.now() + hour)
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
