import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Metric, Option } from "effect"
import { fivetranRateLimitRemaining } from "../src/FivetranMetrics.js"
import type { RateBudgetStatus } from "../src/RateBudget.js"
import { json, startServer } from "./support/ScriptedServer.js"
import { clientFor, pollUntil } from "./support/TestClient.js"

const teamBody = { code: "Success", data: { id: "bright_otter", name: "Analysts", description: null, role: "Account Reviewer" } }

/** 10^400: Number() makes it Infinity. */
const beyondAnyNumber = `1${"0".repeat(400)}`
/** 2^53 + 1: Number() makes it 2^53, which is not what was sent. */
const beyondExact = "9007199254740993"

/** The status with its Options as values (null for none): chai's deep equality finds Option.some(x) equal to Option.none(). */
const plain = (status: RateBudgetStatus) => ({
  limit: Option.getOrNull(status.limit),
  remaining: Option.getOrNull(status.remaining),
  lowestRemaining: Option.getOrNull(status.lowestRemaining),
  reserve: Option.getOrNull(status.reserve),
  windowSeconds: status.windowSeconds
})

const noBudget = { limit: null, remaining: null, lowestRemaining: null, reserve: null, windowSeconds: 3600 }

/** Runs `calls` one after another and waits, in real time, for them to end: a request held back by the budget fails the test instead of hanging it. */
const allAnswered = <A, E>(calls: ReadonlyArray<Effect.Effect<A, E>>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Effect.all(calls))
    return yield* pollUntil("every call to end", Fiber.poll(fiber)).pipe(Effect.flatten)
  })

describe("rate-limit headers an upstream gets wrong", () => {
  for (const retryAfter of [beyondAnyNumber, beyondExact]) {
    it.scopedLive(`a Retry-After of ${retryAfter.length} digits reads as 2^53 - 1 seconds: too long a wait, said as one`, () =>
      Effect.gen(function*() {
        const server = yield* startServer(() => json(429, { code: "TooManyRequests" }, { "Retry-After": retryAfter }))
        const client = yield* clientFor(server.baseUrl)
        const error = yield* Effect.flip(client.getTeam("bright_otter"))
        assert.strictEqual(
          error.message,
          "GET /v1/teams/bright_otter: Fivetran answered 429 with Retry-After 9007199254740991s; that needs a wait of " +
            "2501999792983h 36m, longer than max-rate-limit-wait (1h): raise it or retry later"
        )
        if (error._tag === "RateLimitWaitTooLong") assert.strictEqual(error.neededMillis, 9_007_199_254_740_991_000)
        assert.strictEqual((yield* server.requests).length, 1)
      }))
  }

  for (const limit of [beyondAnyNumber, beyondExact]) {
    for (const reserve of [20, 0]) {
      it.scopedLive(`an X-Rate-Limit of ${limit.length} digits is not believed: every request goes (reserve ${reserve}%)`, () =>
        Effect.gen(function*() {
          const server = yield* startServer(() => json(200, teamBody, { "X-Rate-Limit": limit, "X-Rate-Limit-Remaining": "5" }))
          const client = yield* clientFor(server.baseUrl, { rateLimitReservePercent: reserve })
          const get = client.getTeam("bright_otter")

          yield* allAnswered([get, get, get])
          assert.strictEqual((yield* server.requests).length, 3)
          assert.deepStrictEqual(plain(yield* client.budget), noBudget)
        }))
    }
  }

  it.scopedLive("an X-Rate-Limit-Remaining beyond 2^53 - 1 is not believed: the estimate and the gauge keep the last count", () =>
    Effect.gen(function*() {
      const answers = [{ "X-Rate-Limit": "10", "X-Rate-Limit-Remaining": "9" }, {
        "X-Rate-Limit": "10",
        "X-Rate-Limit-Remaining": beyondAnyNumber
      }, {
        "X-Rate-Limit": "10",
        "X-Rate-Limit-Remaining": beyondExact
      }]
      const server = yield* startServer((_, index) => json(200, teamBody, answers[index]))
      const client = yield* clientFor(server.baseUrl, { rateLimitReservePercent: 0 })
      const get = client.getTeam("bright_otter")

      yield* allAnswered([get, get, get])
      // 9 after the first answer, less our 2 requests since.
      assert.deepStrictEqual(plain(yield* client.budget), { limit: 10, remaining: 7, lowestRemaining: 9, reserve: 0, windowSeconds: 3600 })
      assert.strictEqual((yield* Metric.value(fivetranRateLimitRemaining)).value, 9)
    }))

  it.scopedLive("an X-Rate-Limit-Remaining above X-Rate-Limit counts as the limit: the estimate never claims more", () =>
    Effect.gen(function*() {
      const server = yield* startServer((_, index) =>
        json(200, teamBody, { "X-Rate-Limit": "10", "X-Rate-Limit-Remaining": index === 0 ? "1000" : "3" })
      )
      const client = yield* clientFor(server.baseUrl)
      yield* client.getTeam("bright_otter")
      assert.deepStrictEqual(plain(yield* client.budget), {
        limit: 10,
        remaining: 10,
        lowestRemaining: 10,
        reserve: 2,
        windowSeconds: 3600
      })
      yield* client.getTeam("bright_otter")
      assert.deepStrictEqual(plain(yield* client.budget), { limit: 10, remaining: 3, lowestRemaining: 3, reserve: 2, windowSeconds: 3600 })
    }))

  for (const window of [beyondAnyNumber, beyondExact, "86401"]) {
    // On the TestClock: no time passes between the answer and the wait, which is then the whole hour.
    it.scoped(`an X-Rate-Limit-Window-Seconds of ${window.length} digits, over a day, is not believed: the reserve waits for the hour`, () =>
      Effect.gen(function*() {
        const server = yield* startServer(() =>
          json(200, teamBody, { "X-Rate-Limit": "10", "X-Rate-Limit-Remaining": "2", "X-Rate-Limit-Window-Seconds": window })
        )
        const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600 })
        yield* client.getTeam("bright_otter")
        assert.strictEqual((yield* client.budget).windowSeconds, 3600)

        // 2 left, the reserve (20% of 10) is 2: the next request waits until the hour after the answer.
        const held = yield* Effect.fork(client.getTeam("bright_otter"))
        const wait = yield* pollUntil("the reserve wait", client.waits.current)
        assert.deepStrictEqual([wait.kind, wait.millis], ["reserve", 3_600_000])
        yield* Fiber.interrupt(held)
        assert.strictEqual((yield* server.requests).length, 1)
      }))
  }

  it.scopedLive("a window of a day is believed (the sandbox's longest): a reserve wait that long is refused", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() =>
        json(200, teamBody, { "X-Rate-Limit": "10", "X-Rate-Limit-Remaining": "2", "X-Rate-Limit-Window-Seconds": "86400" })
      )
      const client = yield* clientFor(server.baseUrl)
      yield* client.getTeam("bright_otter")
      assert.strictEqual((yield* client.budget).windowSeconds, 86_400)
      const error = yield* Effect.flip(client.getTeam("bright_otter"))
      assert.strictEqual(
        error.message,
        "GET /v1/teams/bright_otter: the account's rate-limit budget is down to ~2 of 10 requests, the 2 kept in reserve for other " +
          "tools (rate-limit-reserve 20%); that needs a wait of 24h, longer than max-rate-limit-wait (1h): raise it or retry later"
      )
    }))
})

describe("what a 429 says of the account's budget", () => {
  it.scopedLive("its X-Rate-Limit-Remaining when it has one; 0 without, but for POST /v1/users, refused by the user-creation limit", () =>
    Effect.gen(function*() {
      const answers = [
        json(200, teamBody, { "X-Rate-Limit": "10", "X-Rate-Limit-Remaining": "9" }),
        json(429, { code: "TooManyRequests" }, { "Retry-After": "1" }),
        json(429, { code: "TooManyRequests" }, { "Retry-After": "1", "X-Rate-Limit": "10", "X-Rate-Limit-Remaining": "8" }),
        json(429, { code: "TooManyRequests" }, { "Retry-After": "1" })
      ]
      const server = yield* startServer((_, index) => answers[index]!)
      const client = yield* clientFor(server.baseUrl, { maxAttempts: 1, rateLimitReservePercent: 0 })
      const lowest = Effect.map(client.budget, (status) => Option.getOrNull(status.lowestRemaining))

      yield* client.getTeam("bright_otter")
      yield* Effect.flip(client.inviteUser({ email: "ada@example.com", given_name: "Ada", family_name: "Lovelace" }))
      assert.strictEqual(yield* lowest, 9)
      yield* Effect.flip(client.getTeam("bright_otter"))
      assert.strictEqual(yield* lowest, 8)
      yield* Effect.flip(client.getTeam("bright_otter"))
      assert.strictEqual(yield* lowest, 0)
      assert.deepStrictEqual((yield* server.requests).map((r) => `${r.method} ${r.path}`), [
        "GET /v1/teams/bright_otter",
        "POST /v1/users",
        "GET /v1/teams/bright_otter",
        "GET /v1/teams/bright_otter"
      ])
    }))
})
