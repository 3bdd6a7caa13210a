import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { rateLimitWaitCap, retryBeforeDeadline, withRateLimitWaitCap } from "../src/RateLimitWaitCap.js"

/** The bound in force `millis` after a 30 s cap began (the TestClock starts at 0), under a client bound of 10 min. */
const boundAt = (millis: number, capMillis = 30_000) =>
  Effect.all([rateLimitWaitCap(600_000, millis), retryBeforeDeadline(millis)]).pipe(
    withRateLimitWaitCap({ millis: capMillis, setting: "max-provisioning-wait" })
  )

describe("a caller's rate-limit wait cap", () => {
  it.effect("is a deadline: the wait allowed shrinks as time passes; errors name the whole setting until a second is spent", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* boundAt(500), [
        { millis: 29_500, setting: "max-provisioning-wait", shownMillis: 30_000 },
        true
      ])
      assert.deepStrictEqual(yield* boundAt(20_000), [
        { millis: 10_000, setting: "what is left of max-provisioning-wait", shownMillis: 10_000 },
        true
      ])
      assert.deepStrictEqual(yield* boundAt(30_000), [
        { millis: 0, setting: "what is left of max-provisioning-wait", shownMillis: 0 },
        false
      ])
    }))

  it.effect("never lengthens the client's own bound, and without a cap nothing is bounded but by the client", () =>
    Effect.gen(function*() {
      const client = { millis: 600_000, setting: "max-rate-limit-wait", shownMillis: 600_000 }
      assert.deepStrictEqual(yield* boundAt(0, 3_600_000), [client, true])
      assert.deepStrictEqual(yield* Effect.all([rateLimitWaitCap(600_000, 1e12), retryBeforeDeadline(1e12)]), [client, true])
    }))
})
