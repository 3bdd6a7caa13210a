import { Clock, Effect } from "effect"

/**
 * `clock` with its wall-clock reading (currentTimeMillis) `back.millis` behind, for the code that
 * must time by the monotonic clock (MonotonicClock.ts): a clock set back (an NTP step, a VM resumed)
 * cannot be real in a test. Its nanoseconds, the monotonic clock, and its sleeps are `clock`'s. Over
 * the TestClock, move time with that TestClock's own `adjust`: TestClock.adjust looks for the fiber's
 * clock, which this one is then.
 */
export const wallSetBack = (clock: Clock.Clock, back: { millis: number }): Clock.Clock => ({
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: () => clock.unsafeCurrentTimeMillis() - back.millis,
  currentTimeMillis: Effect.sync(() => clock.unsafeCurrentTimeMillis() - back.millis),
  unsafeCurrentTimeNanos: () => clock.unsafeCurrentTimeNanos(),
  currentTimeNanos: clock.currentTimeNanos,
  sleep: (duration) => clock.sleep(duration)
})
