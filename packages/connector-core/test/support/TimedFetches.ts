import { Effect, Fiber, Option } from "effect"

/** A fetch taking `millis(item)` of the test clock and answering `answer(item)`, counting how many run at once. */
export const timedFetches = <A, B>(millis: (item: A) => number, answer: (item: A) => B) => {
  let running = 0
  let mostAtOnce = 0
  const fetch = (item: A) =>
    Effect.acquireUseRelease(
      Effect.sync(() => {
        running++
        mostAtOnce = Math.max(mostAtOnce, running)
      }),
      () => Effect.as(Effect.sleep(millis(item)), answer(item)),
      () => Effect.sync(() => void running--)
    )
  return { fetch, mostAtOnce: () => mostAtOnce }
}

/** The fiber's result, failing at once (not at the test's timeout) if it has not finished by the test clock's time. */
export const finished = <A, E>(fiber: Fiber.Fiber<A, E>) =>
  Effect.flatMap(Fiber.poll(fiber), Option.match({ onNone: () => Effect.die("not finished yet"), onSome: (exit) => exit }))
