import { Clock, DateTime, Effect, HashMap, Metric, Option, Stream, SubscriptionRef } from "effect"
import { fivetranReserveWaitSeconds } from "./FivetranMetrics.js"
import { formatWait } from "./WaitDuration.js"

/**
 * Why a request is held back: Fivetran answered 429 (`rate-limited`), our own reserve for other
 * tools would be touched (`reserve`), or an attempt failed with a 5xx or on the network and is
 * retried after a backoff (`retry`).
 */
export type RequestWaitKind = "rate-limited" | "reserve" | "retry"

/** One wait in progress: what it waits for, why, and until when. */
export interface RequestWait {
  readonly kind: RequestWaitKind
  /** `METHOD /v1/path` of the request held back. */
  readonly endpoint: string
  /** What failed or what the budget looks like, e.g. `Fivetran answered 429 with Retry-After 3081s`. */
  readonly reason: string
  readonly millis: number
  /** Epoch milliseconds. */
  readonly until: number
}

/** A retry wait this short is routine (a blip); longer ones, and every rate-limit wait, warn. */
export const QuietRetryMillis = 2_000

const untilText = (until: number) => DateTime.formatIso(DateTime.unsafeMake(until)).replace(/\.\d+Z$/, "Z")

export const describeWait = (wait: RequestWait): string =>
  `waiting ${formatWait(wait.millis)} (until ${untilText(wait.until)}) before ${
    wait.kind === "reserve" ? "sending" : "retrying"
  } ${wait.endpoint}: ${wait.reason}`

/** The wait that ends last: what a single progress line or job status shows. */
const longest = (waits: HashMap.HashMap<number, RequestWait>): Option.Option<RequestWait> =>
  HashMap.reduce(
    waits,
    Option.none<RequestWait>(),
    (found, wait) => Option.isSome(found) && found.value.until >= wait.until ? found : Option.some(wait)
  )

/**
 * The one place every wait of the client goes through: the retry schedule and the reserve gate
 * report a wait when it starts and end it when the request goes again. Each wait is logged (warn
 * unless it is a short retry), and the waits in progress can be read or followed, so a sync's
 * progress line, a job's status and metrics all see the same thing.
 */
export interface RequestWaits {
  /** The wait in progress that ends last, if any request is waiting. */
  readonly current: Effect.Effect<Option.Option<RequestWait>>
  /** `current` now and at every change. */
  readonly changes: Stream.Stream<Option.Option<RequestWait>>
}

export const makeRequestWaits = Effect.gen(function*() {
  const active = yield* SubscriptionRef.make(HashMap.empty<number, RequestWait>())
  /**
   * The union of the waits' spans (overlapping waits count once): each wait adds the part of
   * [start, until] that lies past the end of every earlier one.
   */
  let waitedMillis = 0
  let coveredUntil = Number.NEGATIVE_INFINITY
  let nextId = 0

  /**
   * Registers a wait (logging it) and returns its id for `end`. Rate-limit waits warn when they
   * start a stretch of waiting of their kind; the other requests held back in the same stretch log
   * at debug, so a paced sync does not print one warning per request.
   */
  const begin = (wait: RequestWait) =>
    Effect.gen(function*() {
      const current = yield* SubscriptionRef.get(active)
      const id = nextId++
      const sameKindWaiting = HashMap.some(current, (other) => other.kind === wait.kind)
      const quiet = wait.kind === "retry" ? wait.millis <= QuietRetryMillis : sameKindWaiting
      const log = quiet ? Effect.logDebug : Effect.logWarning
      yield* log(describeWait(wait)).pipe(
        Effect.annotateLogs({ endpoint: wait.endpoint, wait_kind: wait.kind, wait_ms: Math.round(wait.millis) })
      )
      // From the wait's own start (until - millis), not from now: logging it took a moment.
      waitedMillis += Math.max(0, wait.until - Math.max(wait.until - wait.millis, coveredUntil))
      coveredUntil = Math.max(coveredUntil, wait.until)
      yield* SubscriptionRef.update(active, HashMap.set(id, wait))
      return id
    })

  /**
   * Ends a wait and returns the seconds it lasted, from its start until now: a wait cut short (its
   * request abandoned) lasted less than planned. Reserve waits are metered here; retry waits by the
   * retry schedule, which knows their reason.
   */
  const end = (id: number) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const wait = yield* SubscriptionRef.modify(active, (waits) => [HashMap.get(waits, id), HashMap.remove(waits, id)])
      if (Option.isNone(wait)) return 0
      const seconds = Math.max(0, now - (wait.value.until - wait.value.millis)) / 1000
      if (wait.value.kind === "reserve") yield* Metric.incrementBy(fivetranReserveWaitSeconds, seconds)
      return seconds
    })

  /** Runs `effect` (the sleep) as the given wait. */
  const during = <A, E, R>(wait: RequestWait, effect: Effect.Effect<A, E, R>) => Effect.acquireUseRelease(begin(wait), () => effect, end)

  const waits: RequestWaits = {
    current: Effect.map(SubscriptionRef.get(active), longest),
    changes: active.changes.pipe(
      Stream.map(longest),
      Stream.changesWith(Option.getEquivalence((a, b) => a.until === b.until && a.endpoint === b.endpoint))
    )
  }
  return { waits, begin, end, during, waitedMillis: Effect.sync(() => waitedMillis) } as const
})
