import { budgetWaitFor, FivetranClient } from "@baton-fivetran/fivetran-client"
import { withConsoleText } from "@baton-fivetran/fivetran-client/console-text"
import type { SyncJob } from "@baton-fivetran/http-api"
import { Array as Arr, Clock, DateTime, Effect, Option, Random, Ref } from "effect"
import { ServiceConfig } from "./ServiceConfig.js"
import { SyncJobs } from "./SyncJobs.js"

/**
 * `--sync-every`: a sync at start-up, then one every interval ±10% (jitter, so several services
 * on one account do not align). A scheduled sync that would not fit the remaining rate-limit
 * budget (its cost taken from the last successful sync) is delayed until the budget allows, not
 * started to wait or fail; a sync already running (a manual one) makes the slot skipped.
 *
 * A restart goes on with the schedule rather than starting it again: when the data directory keeps
 * a successful sync that started less than an interval ago, the first run comes an interval ±10%
 * after that sync's start, not at once. Each deploy or crash of the service used to repeat a sync
 * the interval did not call for, spending the account's hourly budget that other tools share.
 */

export interface ScheduleState {
  readonly everyMillis: Option.Option<number>
  readonly nextRunAt: Option.Option<number>
  /** Why the next run is later than the interval alone would put it. */
  readonly delayed: Option.Option<string>
  /** The job the last scheduled run started, or after a restart the succeeded sync the schedule goes on from. */
  readonly lastJobId: Option.Option<string>
  /** A scheduled job's final record, for when retention has deleted the job (its files, and it from the list). */
  readonly lastEnded: Option.Option<SyncJob>
  /** What the last scheduled slot did when it did not start a sync. */
  readonly lastSkipped: Option.Option<string>
}

const isoOf = (millis: number) => DateTime.formatIso(DateTime.unsafeMake(millis))

export class SyncSchedule extends Effect.Service<SyncSchedule>()("baton-http/SyncSchedule", {
  scoped: Effect.gen(function*() {
    const config = yield* ServiceConfig
    const jobs = yield* SyncJobs
    const client = yield* FivetranClient
    const state = yield* Ref.make<ScheduleState>({
      everyMillis: config.syncEveryMillis,
      nextRunAt: Option.none(),
      delayed: Option.none(),
      lastJobId: Option.none(),
      lastEnded: Option.none(),
      lastSkipped: Option.none()
    })

    /** The requests the last successful sync made: what the next one is expected to cost. */
    const expectedCost = Effect.map(
      jobs.list,
      (all) =>
        Arr.findFirst(all, (job) => job.status === "succeeded" && job.summary !== null).pipe(
          Option.map((job) => job.summary!.requests)
        )
    )

    const sleepUntil = (at: number, delayed: Option.Option<string>) =>
      Effect.gen(function*() {
        yield* Ref.update(state, (s) => ({ ...s, nextRunAt: Option.some(at), delayed }))
        const now = yield* Clock.currentTimeMillis
        if (at > now) yield* Effect.sleep(at - now)
      })

    /**
     * The budget as the client knows it, asked of Fivetran with one request when no answer has told
     * it yet (a restart): a sync started blind spent the budget down to the reserve, then waited
     * there, or failed past --max-rate-limit-wait, where the schedule delays it. A failed request
     * leaves it unknown; the sync then meets, and reports, the same failure.
     */
    const knownBudget = Effect.gen(function*() {
      const budget = yield* client.budget
      if (Option.isSome(budget.remaining)) return budget
      yield* Effect.ignore(client.accountInfo)
      return yield* client.budget
    })

    const runOnce = Effect.gen(function*() {
      const cost = yield* expectedCost
      const budget = yield* (Option.isSome(cost) ? knownBudget : client.budget)
      // Within one window every request counted now has left it: the estimate, which spreads what
      // this process did not send evenly over the window, would hold a restarted schedule back longer.
      const wait = Option.map(
        Option.flatMap(cost, (requests) => budgetWaitFor(budget, requests)),
        (millis) => Math.min(millis, budget.windowSeconds * 1000)
      )
      if (Option.isSome(wait) && wait.value > 0) {
        const now = yield* Clock.currentTimeMillis
        const requests = Option.getOrElse(cost, () => 0)
        // One msg for an alert, whatever the cost and the delay: they are fields.
        yield* Effect.logWarning("scheduled sync delayed: the last one cost more requests than the rate-limit budget allows now").pipe(
          Effect.annotateLogs({ last_sync_requests: requests, delayed_until: isoOf(now + wait.value) }),
          withConsoleText(
            `scheduled sync delayed: the last one cost ${requests} requests, more than the rate-limit budget allows now`,
            ["last_sync_requests"]
          )
        )
        yield* sleepUntil(
          now + wait.value,
          Option.some(`delayed until the rate-limit budget allows a sync of ~${Option.getOrElse(cost, () => 0)} requests`)
        )
      }
      const started = yield* Effect.either(
        jobs.start({ onEnd: (job) => Ref.update(state, (s) => ({ ...s, lastEnded: Option.some(job) })) })
      )
      yield* Ref.update(state, (s) =>
        started._tag === "Right"
          ? { ...s, lastJobId: Option.some(started.right.id), lastSkipped: Option.none(), delayed: Option.none() }
          : { ...s, lastSkipped: Option.some(started.left.message), delayed: Option.none() })
    })

    /** An interval ±10% after `from`. */
    const slotAfter = (from: number, every: number) =>
      Effect.map(Random.nextRange(-0.1, 0.1), (jitter) => from + Math.round(every * (1 + jitter)))

    /**
     * Where a restarted schedule goes on from: the newest succeeded sync the data directory keeps,
     * when its slot after it is still to come. Never more than an interval from now, should that
     * sync's start lie ahead of this machine's clock.
     */
    const resumed = (every: number) =>
      Effect.gen(function*() {
        const newest = Arr.findFirst(yield* jobs.list, (job) => job.status === "succeeded")
        if (Option.isNone(newest)) return Option.none()
        const started = DateTime.make(newest.value.started_at ?? newest.value.created_at)
        if (Option.isNone(started)) return Option.none()
        const now = yield* Clock.currentTimeMillis
        const at = Math.min(yield* slotAfter(DateTime.toEpochMillis(started.value), every), now + every)
        return at > now ? Option.some({ job: newest.value, at }) : Option.none()
      })

    const loop = (every: number) =>
      Effect.gen(function*() {
        const resume = yield* resumed(every)
        if (Option.isSome(resume)) {
          const { at, job } = resume.value
          yield* Ref.update(state, (s) => ({ ...s, lastJobId: Option.some(job.id) }))
          const started = job.started_at ?? job.created_at
          yield* Effect.logInfo("scheduled sync: going on from the newest kept sync").pipe(
            Effect.annotateLogs({ job: job.id, started_at: started, next_run_at: isoOf(at) }),
            withConsoleText(`scheduled sync: going on from sync ${job.id}, started ${started}; the next at ${isoOf(at)}`, [
              "job",
              "started_at",
              "next_run_at"
            ])
          )
          yield* sleepUntil(at, Option.none())
        }
        while (true) {
          yield* runOnce
          yield* sleepUntil(yield* slotAfter(yield* Clock.currentTimeMillis, every), Option.none())
        }
      })

    if (Option.isSome(config.syncEveryMillis)) yield* Effect.forkScoped(loop(config.syncEveryMillis.value))

    /**
     * The last scheduled job as listed, or once retention has deleted it, as it ended without its
     * file. Its final record is read after the list: by the time it is gone from there, it is kept.
     */
    const lastJob = (id: string) =>
      Effect.gen(function*() {
        const listed = yield* Effect.option(jobs.get(id))
        if (Option.isSome(listed)) return listed
        const { lastEnded } = yield* Ref.get(state)
        return Option.map(Option.filter(lastEnded, (job) => job.id === id), (job): SyncJob => ({ ...job, file_bytes: null }))
      })

    const view = Effect.gen(function*() {
      const s = yield* Ref.get(state)
      const last = yield* Effect.transposeOption(Option.map(s.lastJobId, lastJob))
      return {
        every_seconds: Option.getOrNull(Option.map(s.everyMillis, (ms) => ms / 1000)),
        next_run_at: Option.getOrNull(Option.map(s.nextRunAt, isoOf)),
        delayed: Option.getOrNull(s.delayed),
        last: Option.getOrNull(Option.flatten(last)),
        last_skipped: Option.getOrNull(s.lastSkipped)
      }
    })
    return { view } as const
  })
}) {}
