import { Effect, FiberRef, Option } from "effect"
import { monotonicMillis } from "./MonotonicClock.js"

/**
 * The longest rate-limit wait a call may make, and the setting that set it (errors name it).
 * The client's own bound is `max-rate-limit-wait`, each wait on its own; work with a caller
 * waiting on it (the HTTP service's provisioning requests) bounds all its calls' waits together.
 */
export interface RateLimitWaitCap {
  readonly millis: number
  readonly setting: string
}

export const ClientWaitSetting = "max-rate-limit-wait"

interface Deadline {
  readonly cap: RateLimitWaitCap
  /** When the work's waits must have ended, on the monotonic clock (MonotonicClock.ts). */
  readonly at: number
}

const currentDeadline = FiberRef.unsafeMake<Option.Option<Deadline>>(Option.none())

/**
 * The calls made inside `effect` (and the fibers it forks) may wait for the rate limit only until
 * `cap.millis` after it starts, together: a wait that would end later fails at once. Nor does a
 * failed attempt (a 5xx, a timeout) get another once that time has passed, or when its backoff
 * would end past it (the call fails at once, not after the backoff); and a repeat sent before is
 * given only what is left of it: the caller is gone.
 */
export const withRateLimitWaitCap = (cap: RateLimitWaitCap) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    Effect.clock,
    (clock) => Effect.locally(effect, currentDeadline, Option.some({ cap, at: monotonicMillis(clock) + cap.millis }))
  )

/** The bound in force: the wait allowed now, and the setting and figure an error names. */
export interface WaitBound extends RateLimitWaitCap {
  /** `millis`, but the whole of the setting while less than a second of it is spent (not "29.9s"). */
  readonly shownMillis: number
}

/** The bound in force at `now` for the calling fiber, given the client's own. */
export const rateLimitWaitCap = (clientMillis: number, now: number): Effect.Effect<WaitBound> =>
  Effect.map(FiberRef.get(currentDeadline), (deadline) => {
    const client = { millis: clientMillis, setting: ClientWaitSetting, shownMillis: clientMillis }
    if (Option.isNone(deadline)) return client
    const { at, cap } = deadline.value
    const left = Math.max(0, at - now)
    if (left >= clientMillis) return client
    // Errors say the bound was partly spent once it was by a second or more (a wait, a slow answer).
    return cap.millis - left >= 1_000
      ? { millis: left, setting: `what is left of ${cap.setting}`, shownMillis: left }
      : { millis: left, setting: cap.setting, shownMillis: cap.millis }
  })

/**
 * Whether a failed attempt may be repeated at `sendAt` (now plus its backoff): always, but at or
 * past the deadline of `withRateLimitWaitCap`, which the call does not sleep towards for nothing.
 */
export const retryBeforeDeadline = (sendAt: number): Effect.Effect<boolean> =>
  Effect.map(FiberRef.get(currentDeadline), (deadline) => Option.isNone(deadline) || sendAt < deadline.value.at)

/** What is left at `now` of the deadline of `withRateLimitWaitCap`, with its cap; none outside one. */
export const deadlineLeft = (now: number): Effect.Effect<Option.Option<{ readonly millis: number; readonly cap: RateLimitWaitCap }>> =>
  Effect.map(FiberRef.get(currentDeadline), Option.map(({ at, cap }) => ({ millis: Math.max(0, at - now), cap })))
