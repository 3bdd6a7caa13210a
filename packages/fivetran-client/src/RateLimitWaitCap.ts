import { Effect, FiberRef, Option } from "effect"

/**
 * The longest rate-limit wait a call may make, and the setting that set it (errors name it).
 * The client's own bound is `max-rate-limit-wait`; work with a caller waiting on it (the HTTP
 * service's provisioning requests) tightens it for its own calls, leaving a sync's alone.
 */
export interface RateLimitWaitCap {
  readonly millis: number
  readonly setting: string
}

export const ClientWaitSetting = "max-rate-limit-wait"

const currentCap = FiberRef.unsafeMake<Option.Option<RateLimitWaitCap>>(Option.none())

/** Calls made inside `effect` (and the fibers it forks) wait at most `cap`, or the client's bound when that is shorter. */
export const withRateLimitWaitCap = (cap: RateLimitWaitCap) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.locally(effect, currentCap, Option.some(cap))

/** The bound in force for the calling fiber, given the client's own. */
export const rateLimitWaitCap = (clientMillis: number): Effect.Effect<RateLimitWaitCap> =>
  Effect.map(
    FiberRef.get(currentCap),
    (cap) => Option.isSome(cap) && cap.value.millis < clientMillis ? cap.value : { millis: clientMillis, setting: ClientWaitSetting }
  )
