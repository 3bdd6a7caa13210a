import { assert, describe, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Fiber, Option, Stream, TestClock } from "effect"
import type { SyncRow } from "../src/model/Baton.js"
import { rowsPerPage } from "../src/sync/PageRows.js"
import { overlapPhases } from "../src/sync/PhaseOverlap.js"
import { makeRequestSlots, type RequestSlots } from "../src/sync/RequestSlots.js"
import { row } from "../src/sync/SyncRows.js"
import { finished, timedFetches } from "./support/TimedFetches.js"

const rowsOf = (item: string) => Effect.succeed([row.resourceType({ id: item, displayName: item, traits: [], annotations: [] })])

const idsOf = (rows: Chunk.Chunk<SyncRow>) => Chunk.toReadonlyArray(rows).map((r) => (r._tag === "ResourceTypeRow" ? r.value.id : r._tag))

/** A list read page by page: each array one page. */
const pages = (...listed: ReadonlyArray<ReadonlyArray<string>>) => Stream.fromChunks(...listed.map((page) => Chunk.fromIterable(page)))

const gatesOpen = { reportProgress: Effect.void, fetchesDone: Effect.void, rowsAfter: Effect.void }

const slow = (item: string) => (item.endsWith("slow") ? 100 : 10)

describe("rowsPerPage", () => {
  it.effect("starts the next page's fetches once a page's last has started, in the slots its last requests free", () =>
    Effect.gen(function*() {
      // Two slots; the first page's first item takes 100 ms, every other item 10 ms. Waiting for the
      // whole first page would fetch the second page's four items from 100 ms, ending at 120 ms.
      const { fetch, mostAtOnce } = timedFetches(slow, (item: string) => item)
      const slots = yield* makeRequestSlots(2)
      let reports = 0
      const reportProgress = Effect.sync(() => void reports++)
      const fiber = yield* Effect.fork(Stream.runCollect(
        pages(["a-slow", "a2"], ["b1", "b2", "b3", "b4"]).pipe(rowsPerPage({ ...gatesOpen, reportProgress, slots }, { fetch, rowsOf }))
      ))
      yield* TestClock.adjust("99 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(idsOf(yield* finished(fiber)), ["a-slow", "a2", "b1", "b2", "b3", "b4"])
      assert.strictEqual(mostAtOnce(), 2)
      // Progress after each fetch, not each page.
      assert.strictEqual(reports, 6)
    }))

  it.effect("announces the phase's requests done once its last has started, not once it is answered", () =>
    Effect.gen(function*() {
      const { fetch } = timedFetches(() => 100, (item: string) => item)
      const slots = yield* makeRequestSlots(2)
      const announced = yield* Deferred.make<void>()
      const fiber = yield* Effect.fork(Stream.runCollect(
        pages(["x1"], ["x2", "x3"]).pipe(
          rowsPerPage({ ...gatesOpen, fetchesDone: Deferred.complete(announced, Effect.void), slots }, { fetch, rowsOf })
        )
      ))
      // x1 and x2 start at once; x3 takes x1's slot at 100 ms, and is the last to start.
      yield* TestClock.adjust("99 millis")
      assert.isFalse(yield* Deferred.isDone(announced))
      yield* TestClock.adjust("1 millis")
      assert.isTrue(yield* Deferred.isDone(announced))
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("100 millis")
      assert.deepStrictEqual(idsOf(yield* finished(fiber)), ["x1", "x2", "x3"])
    }))

  it.effect("hands a phase's freed slots to the next phase, never fetching more than the slots at once", () =>
    Effect.gen(function*() {
      const { fetch, mostAtOnce } = timedFetches(slow, (item: string) => item)
      const slots: RequestSlots = yield* makeRequestSlots(2)
      const phase = (...listed: ReadonlyArray<ReadonlyArray<string>>) => ({
        fetches: true,
        reached: Effect.void,
        rows: (gates: { readonly fetchesDone: Effect.Effect<void>; readonly rowsAfter: Effect.Effect<void> }) =>
          pages(...listed).pipe(rowsPerPage({ ...gates, reportProgress: Effect.void, slots }, { fetch, rowsOf }))
      })
      // The teams' slow item holds one slot for 100 ms; the users' four items take turns in the other.
      const fiber = yield* Effect.fork(Stream.runCollect(overlapPhases([phase(["team-slow", "team2"]), phase(["u1", "u2", "u3", "u4"])])))
      yield* TestClock.adjust("99 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(idsOf(yield* finished(fiber)), ["team-slow", "team2", "u1", "u2", "u3", "u4"])
      assert.strictEqual(mostAtOnce(), 2)
    }))

  it.effect("lists at most two pages ahead of the page being fetched", () =>
    Effect.gen(function*() {
      // One slot, 100 ms a fetch: page 1 is fetched until 200 ms, page 2 from 200 to 400 ms. Pages
      // listed further ahead are held in memory until their turn (a thousand users each).
      const { fetch } = timedFetches(() => 100, (item: string) => item)
      const slots = yield* makeRequestSlots(1)
      const listed: Array<string> = []
      const list = pages(["p1a", "p1b"], ["p2a", "p2b"], ["p3a", "p3b"], ["p4a", "p4b"], ["p5a", "p5b"]).pipe(
        Stream.mapChunks((page) => {
          listed.push(Chunk.unsafeHead(page))
          return page
        })
      )
      const fiber = yield* Effect.fork(Stream.runCollect(list.pipe(rowsPerPage({ ...gatesOpen, slots }, { fetch, rowsOf }))))
      yield* TestClock.adjust("50 millis")
      assert.deepStrictEqual(listed, ["p1a", "p2a", "p3a"])
      // Page 1 answered: the next page is listed while page 2 is fetched.
      yield* TestClock.adjust("200 millis")
      assert.deepStrictEqual(listed, ["p1a", "p2a", "p3a", "p4a"])
      yield* TestClock.adjust("1 seconds")
      assert.strictEqual(Chunk.size(yield* finished(fiber)), 10)
    }))

  it.effect("fails with a fetch's error, and lists nothing after an empty list but announces it done", () =>
    Effect.gen(function*() {
      const slots = yield* makeRequestSlots(2)
      const announced = yield* Deferred.make<void>()
      const none = yield* Stream.runCollect(
        pages().pipe(
          rowsPerPage({ ...gatesOpen, fetchesDone: Deferred.complete(announced, Effect.void), slots }, { fetch: Effect.succeed, rowsOf })
        )
      )
      assert.strictEqual(Chunk.size(none), 0)
      assert.isTrue(yield* Deferred.isDone(announced))
      const error = yield* Stream.runCollect(
        pages(["a"], ["b", "broken"]).pipe(
          rowsPerPage({ ...gatesOpen, slots }, {
            fetch: (item) => (item === "broken" ? Effect.fail(`no ${item}`) : Effect.succeed(item)),
            rowsOf
          })
        )
      ).pipe(Effect.flip)
      assert.strictEqual(error, "no broken")
    }))
})
