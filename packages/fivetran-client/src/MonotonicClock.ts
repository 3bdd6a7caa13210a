import { type Clock, Effect } from "effect"

/**
 * Milliseconds on the monotonic clock (Effect's nanoseconds: the wall clock's reading when first
 * asked, then process.hrtime; TestClock drives it too). Deadlines, waits and the rate-limit
 * budget's window are measured on it: on the wall clock, one set back an hour (an NTP step, a VM
 * resumed) stretched them by that hour, and one set forward ended them at once. Times shown to
 * people (a wait's `until`) stay the wall clock's.
 */
export const monotonicMillis = (clock: Clock.Clock): number => Number(clock.unsafeCurrentTimeNanos() / 1_000_000n)

/** monotonicMillis of the fiber's clock, as an Effect: for a timer read once per event (a throttle, a watch). */
export const currentMonotonicMillis: Effect.Effect<number> = Effect.clockWith((clock) => Effect.sync(() => monotonicMillis(clock)))

/**
 * monotonicMillis with its fraction of a millisecond: a tally of jittered waits (a fraction each)
 * summed their whole milliseconds only.
 */
export const fractionalMonotonicMillis = (clock: Clock.Clock): number => Number(clock.unsafeCurrentTimeNanos()) / 1_000_000
