import { DateTime, Effect, Exit, Metric, Option } from "effect"
import { withConsoleText } from "./ConsoleText.js"
import { fivetranReserveWaitSeconds } from "./FivetranMetrics.js"
import { fractionalMonotonicMillis } from "./MonotonicClock.js"
import { tallyWait } from "./RequestTally.js"
import { formatWait } from "./WaitDuration.js"
import { makeWaitsInProgress, type RequestWait, type RequestWaitKind } from "./WaitsInProgress.js"

/**
 * A retry wait this short is routine (a blip), and so is a held-back request's further turn this
 * short (its wait was announced); longer ones, and a request's first rate-limit wait, warn.
 */
export const QuietRetryMillis = 2_000

const untilText = (until: number) => DateTime.formatIso(DateTime.unsafeMake(until)).replace(/\.\d+Z$/, "Z")

/**
 * A wait's kind as its log lines' `wait_kind` says it: `rate_limited`, as the metrics' `reason`
 * label spells it, so that one word finds both (the kind itself, `rate-limited`, is also the job
 * API's `waiting.kind`, which keeps it).
 */
const waitKindField = (kind: RequestWaitKind): string => kind === "rate-limited" ? "rate_limited" : kind

export const describeWait = (wait: RequestWait): string =>
  `waiting ${formatWait(wait.millis)} (until ${untilText(wait.until)}) before ${
    wait.kind === "reserve" ? "sending" : "retrying"
  } ${wait.endpoint}: ${wait.reason}`

/**
 * `stopped waiting after 1.2s: GET /v1/roles was not retried (its caller gave up on it)`: the wait's
 * line said `before retrying`, and nothing else would say that the retry never came.
 */
export const describeAbandoned = (wait: RequestWait, waitedMillis: number): string =>
  `stopped waiting after ${formatWait(waitedMillis)}: ${wait.endpoint} was not ${
    wait.kind === "reserve" ? "sent" : "retried"
  } (its caller gave up on it)`

/** A wait begun: what `end` needs to end it everywhere it was registered. */
export interface BegunWait {
  readonly id: number
  /** Ends it in the tallies of the fiber that began it (`RequestTally.ts`). */
  readonly endTallied: Effect.Effect<void>
  /** Its start was logged at debug (a short retry, or one of a stretch of rate-limit waits). */
  readonly quiet: boolean
  /** When it began, on the monotonic clock: the wall clock set back during a wait made its length 0. */
  readonly startedAt: number
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
   * Registers a wait (logging it: one `msg` per kind, its length, end and reason as fields, the
   * sentence on a console) and returns it for `end`. Rate-limit waits warn when they start a
   * stretch of waiting of their kind; the other requests held back in the same stretch log at
   * debug, so a paced sync does not print one warning per request. A `further` wait is a held-back
   * request's next turn (the slot it waited for went to another request, and the next one frees
   * milliseconds later): its wait was announced, and a short turn would warn again for nothing once
   * the other requests' waits have ended (`waiting 3ms`); a long one (the budget spent by other
   * tools meanwhile) is a new wait and warns.
   */
  const begin = (wait: RequestWait, further = false) =>
    Effect.gen(function*() {
      const id = nextId++
      const short = wait.millis <= QuietRetryMillis
      const quiet = wait.kind === "retry" ? short : (further && short) || (yield* active.someOfKind(wait.kind))
      const log = quiet ? Effect.logDebug : Effect.logWarning
      yield* log(wait.kind === "reserve" ? "waiting before sending a request" : "waiting before retrying a request").pipe(
        Effect.annotateLogs({
          endpoint: wait.endpoint,
          wait_kind: waitKindField(wait.kind),
          wait_ms: Math.round(wait.millis),
          wait_until: DateTime.formatIso(DateTime.unsafeMake(wait.until)),
          wait_reason: wait.reason
        }),
        withConsoleText(describeWait(wait), ["wait_until", "wait_reason"])
      )
      const startedAt = fractionalMonotonicMillis(yield* Effect.clock)
      const endTallied = yield* tallyWait(id, wait)
      yield* active.add(id, wait)
      return { id, endTallied, quiet, startedAt } satisfies BegunWait
    })

  /**
   * Ends a wait and returns the seconds it lasted, from its start until now: a wait cut short (its
   * request abandoned) lasted less than planned. Reserve waits are metered here; retry waits by the
   * retry schedule, which knows their reason. An `abandoned` wait's request is not sent: said at
   * info (debug when its start was), so the log does not leave a retry announced that never came.
   */
  const end = (begun: BegunWait, abandoned = false) =>
    Effect.gen(function*() {
      const now = fractionalMonotonicMillis(yield* Effect.clock)
      yield* begun.endTallied
      const wait = yield* active.remove(begun.id)
      if (Option.isNone(wait)) return 0
      const millis = Math.max(0, now - begun.startedAt)
      if (wait.value.kind === "reserve") yield* Metric.incrementBy(fivetranReserveWaitSeconds, millis / 1000)
      if (abandoned) {
        yield* (begun.quiet ? Effect.logDebug : Effect.logInfo)("stopped waiting: the request's caller gave up on it").pipe(
          Effect.annotateLogs({
            endpoint: wait.value.endpoint,
            wait_kind: waitKindField(wait.value.kind),
            waited_ms: Math.round(millis)
          }),
          withConsoleText(describeAbandoned(wait.value, millis))
        )
      }
      return millis / 1000
    })

  /** Runs `effect` (the sleep) as the given wait (`further`: as begin's); interrupted, the wait was abandoned. */
  const during = <A, E, R>(wait: RequestWait, effect: Effect.Effect<A, E, R>, further = false) =>
    Effect.acquireUseRelease(begin(wait, further), () => effect, (begun, exit) => end(begun, Exit.isInterrupted(exit)))

  return { waits: active.waits, begin, end, during } as const
})
