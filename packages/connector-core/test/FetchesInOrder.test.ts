import { assert, describe, it } from "@effect/vitest"
import { Chunk, Data, Effect, Fiber, Option, Stream, TestClock } from "effect"
import { aheadFactor, fetchesInOrder } from "../src/sync/FetchesInOrder.js"
import { makeRequestSlots } from "../src/sync/RequestSlots.js"
import { finished, timedFetches } from "./support/TimedFetches.js"

/** What each item is fetched as. */
const fetched = (item: number) => `fetched ${item}`

class FetchFailed extends Data.TaggedError("FetchFailed")<{ readonly item: number }> {}

describe("fetchesInOrder", () => {
  it.effect("keeps every fetch slot busy behind a slow first item, and passes results on in order", () =>
    Effect.gen(function*() {
      // Item 0 takes 100 ms, the items after it 10 ms each, as many as it reads ahead: the second
      // slot fetches them all while the first fetches item 0.
      const concurrency = 2
      const items = concurrency * aheadFactor
      const { fetch, mostAtOnce } = timedFetches((item: number) => (item === 0 ? 100 : 10), fetched)
      const fiber = yield* Effect.fork(
        Stream.runCollect(Stream.range(0, items - 1).pipe(fetchesInOrder(fetch, yield* makeRequestSlots(concurrency))))
      )
      yield* TestClock.adjust("99 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      // `Stream.mapEffect` with `concurrency: 2` fetches only two items behind the slow one, then
      // waits for it: it ends 10 ms or more later.
      yield* TestClock.adjust("1 millis")
      const results = yield* finished(fiber)
      assert.deepStrictEqual(Chunk.toReadonlyArray(results), Array.from({ length: items }, (_, i) => `fetched ${i}`))
      assert.strictEqual(mostAtOnce(), concurrency)
    }))

  it.effect("starts no more than `concurrency` fetches at once however far ahead it reads", () =>
    Effect.gen(function*() {
      const { fetch, mostAtOnce } = timedFetches(() => 10, fetched)
      const items = 3 * aheadFactor * 3
      const fiber = yield* Effect.fork(Stream.runCollect(Stream.range(1, items).pipe(fetchesInOrder(fetch, yield* makeRequestSlots(3)))))
      // Three at a time, 10 ms each.
      yield* TestClock.adjust(`${(items / 3) * 10} millis`)
      assert.strictEqual(Chunk.size(yield* finished(fiber)), items)
      assert.strictEqual(mostAtOnce(), 3)
    }))

  it.effect("fails with the first failing item's error, the results before it passed on", () =>
    Effect.gen(function*() {
      const passed: Array<number> = []
      const fetch = (item: number) => (item === 3 ? Effect.fail(new FetchFailed({ item })) : Effect.succeed(item))
      const error = yield* Stream.range(1, 10).pipe(
        fetchesInOrder(fetch, yield* makeRequestSlots(2)),
        Stream.runForEach((item) => Effect.sync(() => void passed.push(item))),
        Effect.flip
      )
      assert.deepStrictEqual(error, new FetchFailed({ item: 3 }))
      assert.deepStrictEqual(passed, [1, 2])
    }))
})
