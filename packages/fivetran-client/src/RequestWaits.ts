import { Clock, DateTime, Effect, Metric, Option } from "effect"
import { fivetranReserveWaitSeconds } from "./FivetranMetrics.js"
import { tallyWait } from "./RequestTally.js"
import { formatWait } from "./WaitDuration.js"
import { makeWaitsInProgress, type RequestWait } from "./WaitsInProgress.js"

/** A retry wait this short is routine (a blip); longer ones, and every rate-limit wait, warn. */
export const QuietRetryMillis = 2_000

const untilText = (until: number) => DateTime.formatIso(DateTime.unsafeMake(until)).replace(/\.\d+Z$/, "Z")

export const describeWait = (wait: RequestWait): string =>
  `waiting ${formatWait(wait.millis)} (until ${untilText(wait.until)}) before ${
    wait.kind === "reserve" ? "sending" : "retrying"
  } ${wait.endpoint}: ${wait.reason}`

/** A wait begun: what `end` needs to end it everywhere it was registered. */
export interface BegunWait {
  readonly id: number
  /** Ends it in the tallies of the fiber that began it (`RequestTally.ts`). */
  readonly endTallied: Effect.Effect<void>
}

/**
 * The one place every wait of the client goes through: the retry schedule and the reserve gate
 * report a wait when it starts and end it when the request goes again. Each wait is logged (warn
 * unless it is a short retry), and the waits in progress can be read or followed, so a sync's
 * progress line, a job's status and metrics all see the same thing: the process's waits here, a
 * sync's own in its tally.
 */
export const makeRequestWaits = Effect.gen(function*() {
  const active = yield* makeWaitsInProgress
  let nextId = 0

  /**
   * Registers a wait (logging it) and returns it for `end`. Rate-limit waits warn when they start a
   * stretch of waiting of their kind; the other requests held back in the same stretch log at
   * debug, so a paced sync does not print one warning per request.
   */
  const begin = (wait: RequestWait) =>
    Effect.gen(function*() {
      const id = nextId++
      const quiet = wait.kind === "retry" ? wait.millis <= QuietRetryMillis : yield* active.someOfKind(wait.kind)
      const log = quiet ? Effect.logDebug : Effect.logWarning
      yield* log(describeWait(wait)).pipe(
        Effect.annotateLogs({ endpoint: wait.endpoint, wait_kind: wait.kind, wait_ms: Math.round(wait.millis) })
      )
      const endTallied = yield* tallyWait(id, wait)
      yield* active.add(id, wait)
      return { id, endTallied } satisfies BegunWait
    })

  /**
   * Ends a wait and returns the seconds it lasted, from its start until now: a wait cut short (its
   * request abandoned) lasted less than planned. Reserve waits are metered here; retry waits by the
   * retry schedule, which knows their reason.
   */
  const end = (begun: BegunWait) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      yield* begun.endTallied
      const wait = yield* active.remove(begun.id)
      if (Option.isNone(wait)) return 0
      const seconds = Math.max(0, now - (wait.value.until - wait.value.millis)) / 1000
      if (wait.value.kind === "reserve") yield* Metric.incrementBy(fivetranReserveWaitSeconds, seconds)
      return seconds
    })

  /** Runs `effect` (the sleep) as the given wait. */
  const during = <A, E, R>(wait: RequestWait, effect: Effect.Effect<A, E, R>) => Effect.acquireUseRelease(begin(wait), () => effect, end)

  return { waits: active.waits, begin, end, during } as const
})
