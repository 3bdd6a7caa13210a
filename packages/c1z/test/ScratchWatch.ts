import { Effect, Fiber, TestClock } from "effect"

/**
 * Runs `effect` (a sweep, or what runs one) with the test's clock moving a second at a time until it
 * is done: a sweep that finds an own-pid file unrenewed by the clock watches it for 22 s
 * (ScratchOwners.ts), slept on that clock. A real pause between steps lets its file reads finish.
 */
export const pastTheWatch = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let second = 0; second < 120 && (yield* Fiber.poll(fiber))._tag === "None"; second++) {
      yield* TestClock.adjust("1 second")
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5)))
    }
    return yield* Fiber.join(fiber)
  })
