import { assert, describe, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Fiber, Stream } from "effect"
import { ScanTurns } from "../src/ScanTurns.js"

/**
 * The searches and parent filters that read a whole sync (ScanTurns.ts): one at a time, each giving
 * Node's event loop a turn after every page, so that a burst of them does not hold every other
 * request (GET /healthz waited 3-4 s behind ten searches of a `large` account).
 */

describe("scans", () => {
  it.live("give the event loop a turn after each page: what it had waiting runs before the next page is read", () =>
    Effect.gen(function*() {
      const { collectInTurn } = yield* ScanTurns
      const events: Array<string> = []
      const pages = Stream.fromChunks(Chunk.make(1, 2), Chunk.make(3, 4), Chunk.make(5)).pipe(
        Stream.mapChunks((page) => {
          events.push(`page ${Chunk.join(Chunk.map(page, String), ",")}`)
          return page
        })
      )
      // A socket read that arrived as the scan began, as Node would run it.
      setImmediate(() => events.push("event loop"))
      const rows = yield* collectInTurn(pages)
      assert.deepStrictEqual(Chunk.toReadonlyArray(rows), [1, 2, 3, 4, 5])
      // Without the turns, the scan ran to its end in one go: "event loop" came last.
      assert.deepStrictEqual(events.slice(0, 3), ["page 1,2", "event loop", "page 3,4"])
    }).pipe(Effect.provide(ScanTurns.Default)))

  it.live("run one at a time: the second starts reading once the first has ended, and a waiter that leaves frees its place", () =>
    Effect.gen(function*() {
      const { collectInTurn } = yield* ScanTurns
      const firstStarted = yield* Deferred.make<void>()
      const firstMayEnd = yield* Deferred.make<void>()
      const started: Array<string> = []
      const scan = (name: string, wait: Effect.Effect<void>) =>
        Stream.fromEffect(Effect.sync(() => started.push(name))).pipe(Stream.zipRight(Stream.fromEffect(wait)), Stream.as(name))
      const first = yield* Effect.fork(
        collectInTurn(scan("first", Effect.zipRight(Deferred.succeed(firstStarted, undefined), Deferred.await(firstMayEnd))))
      )
      yield* Deferred.await(firstStarted)
      const leaving = yield* Effect.fork(collectInTurn(scan("leaving", Effect.void)))
      const second = yield* Effect.fork(collectInTurn(scan("second", Effect.void)))
      yield* Effect.repeatN(Effect.yieldNow(), 20)
      assert.deepStrictEqual(started, ["first"])
      yield* Fiber.interrupt(leaving)
      yield* Deferred.succeed(firstMayEnd, undefined)
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Fiber.join(first)), ["first"])
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Fiber.join(second)), ["second"])
      assert.deepStrictEqual(started, ["first", "second"])
    }).pipe(Effect.provide(ScanTurns.Default)))
})
