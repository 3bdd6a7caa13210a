import { Effect, FiberRef } from "effect"
import { fractionalMonotonicMillis } from "./MonotonicClock.js"
import { WaitUnion } from "./WaitUnion.js"
import { makeWaitsInProgress, type RequestWait, type RequestWaits, type WaitsInProgress } from "./WaitsInProgress.js"

/**
 * What one piece of work's own requests came to (a sync's, not the rest of the process's). Each
 * wait counts once it has ended (and every wait of its kind that began before it has), from its
 * start to its planned end or, cut short, to when it ended; concurrent waits of a kind count once.
 */
export interface TalliedRequests {
  /** HTTP exchanges with Fivetran, every attempt. */
  readonly requests: number
  /** Repeated attempts, counted as each is sent. */
  readonly retries: number
  /** Time during which at least one of its requests waited for the rate limit: a 429's wait, the reserve. */
  readonly rateLimitWaitMillis: number
  /** Time during which at least one of its requests waited to retry a 5xx or a transport failure. */
  readonly retryBackoffMillis: number
}

/** The requests of the work running inside `withRequestTally`, and its waits in progress. */
export interface RequestTally {
  readonly counts: Effect.Effect<TalliedRequests>
  /** Only this work's waits: another request of the process waiting is not this work waiting. */
  readonly waits: RequestWaits
  /**
   * Whether Fivetran may have acted on one of its requests: one was sent and not answered with a
   * 4xx (a 429, a refusal), which Fivetran turns away unmade. False when none was sent, or each
   * was turned away: what a write interrupted while it waited to be sent can say.
   */
  readonly mayHaveActed: Effect.Effect<boolean>
}

/**
 * One tally's counters, updated by the client on whichever fiber of the work sends the request.
 * Rate-limit waits and backoff are summed apart: a backoff on 5xx is not the rate limit.
 */
class Tally implements RequestTally {
  requests = 0
  retries = 0
  turnedAway = 0
  private readonly rateLimited = new WaitUnion()
  private readonly backoff = new WaitUnion()

  constructor(private readonly inProgress: WaitsInProgress) {}

  readonly counts: Effect.Effect<TalliedRequests> = Effect.sync(() => ({
    requests: this.requests,
    retries: this.retries,
    rateLimitWaitMillis: this.rateLimited.total,
    retryBackoffMillis: this.backoff.total
  }))

  readonly mayHaveActed: Effect.Effect<boolean> = Effect.sync(() => this.requests > this.turnedAway)

  get waits(): RequestWaits {
    return this.inProgress.waits
  }

  /**
   * Waits are timed by the monotonic clock: `until` is the wall clock's, and a wait during which it
   * was set back an hour ended before it began, counting nothing.
   */
  beginWait(id: number, wait: RequestWait): Effect.Effect<void> {
    return Effect.zipRight(
      Effect.clockWith((clock) =>
        Effect.sync(() => {
          const union = wait.kind === "retry" ? this.backoff : this.rateLimited
          const start = fractionalMonotonicMillis(clock)
          union.begin(id, start, start + wait.millis)
        })
      ),
      this.inProgress.add(id, wait)
    )
  }

  endWait(id: number): Effect.Effect<void> {
    return Effect.clockWith((clock) => {
      const now = fractionalMonotonicMillis(clock)
      this.rateLimited.end(id, now)
      this.backoff.end(id, now)
      return Effect.asVoid(this.inProgress.remove(id))
    })
  }
}

/**
 * The tallies the current fiber's requests count in. Forked fibers inherit them, so a sync's
 * concurrent requests all count in its tally.
 */
const currentTallies = FiberRef.unsafeMake<ReadonlyArray<Tally>>([])

const inEachTally = (update: (tally: Tally) => void): Effect.Effect<void> =>
  FiberRef.getWith(currentTallies, (tallies) => tallies.length === 0 ? Effect.void : Effect.sync(() => tallies.forEach(update)))

/** Counts one attempt in the tallies of the current fiber. */
export const tallyRequest: Effect.Effect<void> = inEachTally((tally) => tally.requests++)

/** Counts one attempt Fivetran answered with a 4xx (turned away unmade) in the tallies of the current fiber. */
export const tallyTurnedAway: Effect.Effect<void> = inEachTally((tally) => tally.turnedAway++)

/** Counts one retry in the tallies of the current fiber. */
export const tallyRetry: Effect.Effect<void> = inEachTally((tally) => tally.retries++)

/** Begins a wait in the tallies of the current fiber; returns what ends it there. */
export const tallyWait = (id: number, wait: RequestWait): Effect.Effect<Effect.Effect<void>> =>
  FiberRef.getWith(currentTallies, (tallies) =>
    tallies.length === 0
      ? Effect.succeed(Effect.void)
      : Effect.as(
        Effect.forEach(tallies, (tally) => tally.beginWait(id, wait), { discard: true }),
        Effect.forEach(tallies, (tally) => tally.endWait(id), { discard: true })
      ))

/**
 * Runs the work `use` builds with a tally of its own Fivetran requests, retries and waits, on
 * every fiber it forks: requests the process makes meanwhile for anything else (readiness checks,
 * provisioning, another sync) are not in it. A tally inside another counts in both.
 */
export const withRequestTally = <A, E, R>(use: (tally: RequestTally) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(makeWaitsInProgress, (inProgress) => {
    const tally = new Tally(inProgress)
    return Effect.locallyWith(use(tally), currentTallies, (outer) => [...outer, tally])
  })
