import { assert, describe, it } from "@effect/vitest"
import { Effect, HashMap, Logger, TestClock } from "effect"
import { wallSetBack } from "../../../packages/fivetran-client/test/support/WallClockSetBack.js"
import { FailedAuthentications } from "../src/FailedAuthentications.js"

/**
 * Refused tokens are logged by peer address: the first at once, then at most one line a minute per
 * address with the count since its last line. Time is the TestClock's.
 */
describe("failed authentications", () => {
  it.scoped("one line per address per minute, with the count since the last line", () => {
    const lines: Array<readonly [string, string, unknown, unknown]> = []
    const logger = Logger.make(({ annotations, logLevel, message }) =>
      void lines.push([logLevel.label, String(message), HashMap.unsafeGet(annotations, "peer"), HashMap.unsafeGet(annotations, "failures")])
    )
    const taken = () => lines.splice(0)
    return Effect.gen(function*() {
      const failures = yield* FailedAuthentications
      const refused = (peer: string, times: number) => Effect.repeatN(failures.record(peer), times - 1)

      // A brute force: the first guess is logged at once, the rest counted.
      yield* refused("10.0.0.5", 440)
      yield* refused("10.0.0.6", 1)
      assert.deepStrictEqual(taken(), [["WARN", "bearer token refused", "10.0.0.5", 1], ["WARN", "bearer token refused", "10.0.0.6", 1]])
      yield* TestClock.adjust("59 seconds")
      yield* refused("10.0.0.5", 60)
      assert.deepStrictEqual(taken(), [])
      // Its minute is up: the count since the last line, logged without waiting for another guess.
      yield* TestClock.adjust("10 seconds")
      assert.deepStrictEqual(taken(), [["WARN", "bearer token refused", "10.0.0.5", 499]])
      yield* refused("10.0.0.5", 3)
      yield* TestClock.adjust("50 seconds")
      assert.deepStrictEqual(taken(), [])
      yield* TestClock.adjust("10 seconds")
      assert.deepStrictEqual(taken(), [["WARN", "bearer token refused", "10.0.0.5", 3]])
      // A quiet address is forgotten; its next refusal is logged at once again.
      yield* TestClock.adjust("5 minutes")
      assert.deepStrictEqual(taken(), [])
      yield* refused("10.0.0.5", 2)
      assert.deepStrictEqual(taken(), [["WARN", "bearer token refused", "10.0.0.5", 1]])
    }).pipe(
      Effect.provide(FailedAuthentications.Default),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger))
    )
  })

  it.scoped("the minute is the monotonic clock's: a clock set back an hour does not silence an address", () => {
    const lines: Array<readonly [unknown, unknown]> = []
    const logger = Logger.make(({ annotations }) =>
      void lines.push([HashMap.unsafeGet(annotations, "peer"), HashMap.unsafeGet(annotations, "failures")])
    )
    const back = { millis: 0 }
    return Effect.flatMap(TestClock.testClock(), (testClock) =>
      Effect.gen(function*() {
        const failures = yield* FailedAuthentications
        yield* failures.record("10.0.0.5")
        back.millis = 3_600_000
        yield* Effect.repeatN(failures.record("10.0.0.5"), 2)
        // Was nothing for an hour: the minute since the last line, read on the wall clock, was -59 minutes.
        yield* testClock.adjust("61 seconds")
        assert.deepStrictEqual(lines, [["10.0.0.5", 1], ["10.0.0.5", 3]])
      }).pipe(
        Effect.provide(FailedAuthentications.Default),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Effect.withClock(wallSetBack(testClock, back))
      ))
  })

  it.scoped("past 10,000 addresses at once, further ones are counted together; quiet addresses are forgotten", () => {
    const peers: Array<unknown> = []
    const logger = Logger.make(({ annotations }) => void peers.push(HashMap.unsafeGet(annotations, "peer")))
    return Effect.gen(function*() {
      const failures = yield* FailedAuthentications
      yield* Effect.forEach(Array.from({ length: 10_000 }, (_, i) => `10.${i >> 8}.${i & 255}.1`), failures.record, { discard: true })
      assert.strictEqual(peers.splice(0).length, 10_000)
      yield* failures.record("192.0.2.1")
      yield* failures.record("192.0.2.2")
      assert.deepStrictEqual(peers.splice(0), ["other addresses"])
      yield* TestClock.adjust("61 seconds")
      assert.deepStrictEqual(peers.splice(0), ["other addresses"])
      yield* TestClock.adjust("61 seconds")
      yield* failures.record("192.0.2.2")
      assert.deepStrictEqual(peers.splice(0), ["192.0.2.2"])
    }).pipe(
      Effect.provide(FailedAuthentications.Default),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger))
    )
  })
})
