import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Sandbox } from "../src/Sandbox.js"
import { provideSandbox, raw } from "./harness.js"

/** Status, `X-Rate-Limit` and `X-Rate-Limit-Remaining` of one raw GET. */
const budgetOf = Effect.map(raw("GET", "/v1/roles?limit=1"), (response) => [
  response.status,
  response.headers["x-rate-limit"],
  response.headers["x-rate-limit-remaining"]
])

describe("injected 429s and 5xx stand for a gateway's answer: they spend none of the account's budget", () => {
  it.live("an injected 429 between two answered requests: Remaining goes 9, 9 (unspent), 8", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const before = yield* budgetOf
      yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 7 } })
      const injected = yield* raw("GET", "/v1/roles?limit=1")
      const after = yield* budgetOf
      assert.deepStrictEqual(before, [200, "10", "9"])
      assert.deepStrictEqual(
        [injected.status, injected.headers["retry-after"], injected.headers["x-rate-limit-remaining"], injected.json],
        [429, "7", "9", { code: "TooManyRequests", message: "Too many requests (injected)" }]
      )
      assert.deepStrictEqual(after, [200, "10", "8"])
      assert.deepStrictEqual((yield* sandbox.requestLog).map((entry) => [entry.status, entry.fault, entry.rateLimitRemaining]), [
        [200, null, 9],
        [429, "rate-limit-burst", 9],
        [200, null, 8]
      ])
    }).pipe(provideSandbox({ rateLimit: { hourly: 10 } })))

  it.live("injected 503s: Remaining goes 9, 9, 9 (unspent), 8", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const before = yield* budgetOf
      yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [503] })
      const injected = [yield* budgetOf, yield* budgetOf]
      yield* sandbox.setFaults({})
      const after = yield* budgetOf
      assert.deepStrictEqual([before, ...injected, after], [[200, "10", "9"], [503, "10", "9"], [503, "10", "9"], [200, "10", "8"]])
    }).pipe(provideSandbox({ rateLimit: { hourly: 10 } })))

  it.live("a 429 burst on a spent budget: the injected answer says 0 left, the budget's own refusal follows", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      yield* budgetOf
      yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 7 } })
      const injected = yield* raw("GET", "/v1/roles?limit=1")
      const refused = yield* raw("GET", "/v1/roles?limit=1")
      assert.deepStrictEqual(
        [injected.status, injected.headers["retry-after"], injected.headers["x-rate-limit-remaining"]],
        [429, "7", "0"]
      )
      assert.deepStrictEqual(
        [refused.status, refused.headers["retry-after"], refused.headers["x-rate-limit-remaining"], refused.json],
        [429, "3600", "0", { code: "TooManyRequests", message: "Rate limit of 1 requests per hour exceeded" }]
      )
    }).pipe(provideSandbox({ rateLimit: { hourly: 1 } })))
})
