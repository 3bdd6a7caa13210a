import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber, TestClock } from "effect"
import { readRetryAfter } from "../src/RetryAfter.js"
import { captureLogs, waitLines } from "./support/CapturedLogs.js"
import { json, startServer } from "./support/ScriptedServer.js"
import { awaitRetrySleep, clientFor, elapseRetrySleep, elapseRetrySleepNotEarly, tallied } from "./support/TestClient.js"
import { team, teamAfter } from "./support/RetryAnswers.js"

/**
 * A 429 whose Retry-After is an HTTP-date, as a proxy or gateway in front of the API sends it, dated
 * by a server whose clock agrees with this machine's (the TestClock).
 */
const tooManyUntil = (date: string) =>
  Effect.flatMap(
    Clock.currentTimeMillis,
    (now) => json(429, { code: "TooManyRequests" }, { "Retry-After": date, Date: new Date(now).toUTCString() })
  )

/** As `tooManyUntil`, dated `answerDate` by the sender's clock, whatever this machine's says. */
const tooManyUntilDated = (status: 429 | 503, date: string, answerDate: string) =>
  json(status, { code: "TooManyRequests" }, { "Retry-After": date, Date: answerDate })

describe("a 429 whose Retry-After is an HTTP-date", () => {
  it.scoped("is retried once the date has come by the answer's Date (whole seconds, so never early), to the millisecond", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 9, 21, 7, 27, 52, 250))
      const server = yield* startServer(teamAfter(tooManyUntil("Wed, 21 Oct 2026 07:28:00 GMT")))
      const logs = yield* captureLogs
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600 })
      const fiber = yield* Effect.fork(tallied(logs.provide(client.getTeam("bright_otter"))))

      // Answered at 07:27:52.250, dated 07:27:52: 8 s to go by the sender's clock.
      assert.strictEqual(yield* awaitRetrySleep(60_000), 8_000)
      yield* elapseRetrySleepNotEarly(8_000, server.requests, fiber)
      const { counts, outcome } = yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* outcome, team)
      assert.strictEqual((yield* server.requests).length, 2)
      assert.deepStrictEqual(counts, { requests: 2, retries: 1, rateLimitWaitMillis: 8_000, retryBackoffMillis: 0 })
      assert.deepStrictEqual(waitLines(yield* logs.lines), [[
        "WARN",
        "waiting 8.0s (until 2026-10-21T07:28:00Z) before retrying GET /v1/teams/bright_otter: " +
        "Fivetran answered 429 with Retry-After Wed, 21 Oct 2026 07:28:00 GMT"
      ]])
    }))

  it.scoped("the obsolete forms a recipient must accept wait as long (rfc850-date, asctime-date)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 9, 21, 7, 27, 0))
      const server = yield* startServer(
        teamAfter(tooManyUntil("Wednesday, 21-Oct-26 07:28:00 GMT"), tooManyUntil("Wed Oct 21 07:28:30 2026"))
      )
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600 })
      const fiber = yield* Effect.fork(tallied(client.getTeam("bright_otter")))

      assert.strictEqual(yield* elapseRetrySleep(120_000), 60_000)
      assert.strictEqual(yield* elapseRetrySleep(120_000), 30_000)
      const { counts, outcome } = yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* outcome, team)
      assert.deepStrictEqual(counts, { requests: 3, retries: 2, rateLimitWaitMillis: 90_000, retryBackoffMillis: 0 })
    }))

  it.scoped("a date further off than the maximum rate-limit wait fails at once; one exactly that far is waited", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 9, 21, 7, 0, 0))
      const server = yield* startServer(
        teamAfter(tooManyUntil("Wed, 21 Oct 2026 07:28:00 GMT"), tooManyUntil("Wed, 21 Oct 2026 07:10:00 GMT"))
      )
      const client = yield* clientFor(server.baseUrl, { maxRateLimitWaitSeconds: 600, requestTimeoutSeconds: 6_000 })

      const refused = yield* tallied(client.getTeam("bright_otter"))
      const error = yield* Effect.flip(refused.outcome)
      assert.strictEqual(error._tag, "RateLimitWaitTooLong")
      assert.strictEqual(
        error.message,
        "GET /v1/teams/bright_otter: Fivetran answered 429 with Retry-After Wed, 21 Oct 2026 07:28:00 GMT; that needs a wait " +
          "of 28m, longer than max-rate-limit-wait (10m): raise it or retry later"
      )
      if (error._tag === "RateLimitWaitTooLong") assert.deepStrictEqual([error.neededMillis, error.maxWaitMillis], [1_680_000, 600_000])
      assert.deepStrictEqual(refused.counts, { requests: 1, retries: 0, rateLimitWaitMillis: 0, retryBackoffMillis: 0 })

      const fiber = yield* Effect.fork(tallied(client.getTeam("bright_otter")))
      assert.strictEqual(yield* elapseRetrySleep(1_000_000), 600_000)
      const { counts, outcome } = yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* outcome, team)
      assert.deepStrictEqual(counts, { requests: 2, retries: 1, rateLimitWaitMillis: 600_000, retryBackoffMillis: 0 })
      assert.strictEqual((yield* server.requests).length, 3)
    }))

  it.scoped("a date already past, or now, leaves the wait to the backoff, and the log says the date had passed", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 9, 21, 7, 28, 0))
      const server = yield* startServer(
        teamAfter(tooManyUntil("Wed, 21 Oct 2026 07:27:00 GMT"), tooManyUntil("Wed, 21 Oct 2026 07:28:01 GMT"))
      )
      const logs = yield* captureLogs
      // The backoff (5 s, 10 s ± 20%) capped at 1 s: exact waits.
      const client = yield* clientFor(server.baseUrl, { backoffBaseMillis: 5_000, maxBackoffSeconds: 1, requestTimeoutSeconds: 600 })
      const fiber = yield* Effect.fork(tallied(logs.provide(client.getTeam("bright_otter"))))

      assert.strictEqual(yield* elapseRetrySleep(60_000), 1_000)
      // The second answer comes at 07:28:01, its date's very second.
      assert.strictEqual(yield* elapseRetrySleep(60_000), 1_000)
      const { counts, outcome } = yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* outcome, team)
      assert.deepStrictEqual(counts, { requests: 3, retries: 2, rateLimitWaitMillis: 2_000, retryBackoffMillis: 0 })
      assert.deepStrictEqual(waitLines(yield* logs.lines), [
        [
          "WARN",
          "waiting 1.0s (until 2026-10-21T07:28:01Z) before retrying GET /v1/teams/bright_otter: " +
          "Fivetran answered 429 with Retry-After Wed, 21 Oct 2026 07:27:00 GMT, already past by the answer's own Date"
        ],
        [
          "WARN",
          "waiting 1.0s (until 2026-10-21T07:28:02Z) before retrying GET /v1/teams/bright_otter: " +
          "Fivetran answered 429 with Retry-After Wed, 21 Oct 2026 07:28:01 GMT, already past by the answer's own Date"
        ]
      ])
    }))

  it.scoped("a call that gives up after every attempt says so, whatever the dates", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 9, 21, 7, 28, 0))
      const server = yield* startServer(() => tooManyUntil("Wed, 21 Oct 2026 07:27:00 GMT"))
      const client = yield* clientFor(server.baseUrl, {
        maxAttempts: 2,
        backoffBaseMillis: 5_000,
        maxBackoffSeconds: 1,
        requestTimeoutSeconds: 600
      })
      const fiber = yield* Effect.fork(Effect.flip(client.getTeam("bright_otter")))
      assert.strictEqual(yield* elapseRetrySleep(60_000), 1_000)
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(
        error.message,
        "GET /v1/teams/bright_otter: rate limited by Fivetran (429) on all 2 attempts, each waited out; " +
          "gave up (the account's budget is used by something else too: retry later)"
      )
      if (error._tag === "RateLimited") {
        assert.deepStrictEqual([error.retryAfterSeconds, error.retryAfterDate], [undefined, "Wed, 21 Oct 2026 07:27:00 GMT"])
      }
    }))
})

describe("a Retry-After date, on a host whose clock is off", () => {
  it.scoped("is counted from the answer's Date: a clock 2h behind waits the 30s asked, not 2h 30s (too long, it failed)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 9, 21, 5, 28, 0))
      const server = yield* startServer(teamAfter(tooManyUntilDated(429, "Wed, 21 Oct 2026 07:28:30 GMT", "Wed, 21 Oct 2026 07:28:00 GMT")))
      const logs = yield* captureLogs
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600 })
      const fiber = yield* Effect.fork(tallied(logs.provide(client.getTeam("bright_otter"))))

      assert.strictEqual(yield* elapseRetrySleep(60_000), 30_000)
      const { counts, outcome } = yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* outcome, team)
      assert.deepStrictEqual(counts, { requests: 2, retries: 1, rateLimitWaitMillis: 30_000, retryBackoffMillis: 0 })
      assert.deepStrictEqual(waitLines(yield* logs.lines), [[
        "WARN",
        "waiting 30.0s (until 2026-10-21T05:28:30Z) before retrying GET /v1/teams/bright_otter: " +
        "Fivetran answered 429 with Retry-After Wed, 21 Oct 2026 07:28:30 GMT"
      ]])
    }))

  it.scoped("a clock 1h ahead waits the 45s asked, where the date looked past and the backoff applied", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 9, 21, 8, 28, 0))
      const server = yield* startServer(teamAfter(tooManyUntilDated(429, "Wed, 21 Oct 2026 07:28:45 GMT", "Wed, 21 Oct 2026 07:28:00 GMT")))
      const client = yield* clientFor(server.baseUrl, { backoffBaseMillis: 5_000, maxBackoffSeconds: 1, requestTimeoutSeconds: 600 })
      const fiber = yield* Effect.fork(tallied(client.getTeam("bright_otter")))

      assert.strictEqual(yield* elapseRetrySleep(60_000), 45_000)
      const { counts, outcome } = yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* outcome, team)
      assert.deepStrictEqual(counts, { requests: 2, retries: 1, rateLimitWaitMillis: 45_000, retryBackoffMillis: 0 })
    }))

  it.scoped("a 503's date counts from its Date too", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 9, 21, 5, 28, 0))
      const server = yield* startServer(teamAfter(tooManyUntilDated(503, "Wed, 21 Oct 2026 07:30:00 GMT", "Wed, 21 Oct 2026 07:28:00 GMT")))
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600 })
      const fiber = yield* Effect.fork(tallied(client.getTeam("bright_otter")))

      assert.strictEqual(yield* elapseRetrySleep(300_000), 120_000)
      const { counts, outcome } = yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* outcome, team)
      assert.deepStrictEqual(counts, { requests: 2, retries: 1, rateLimitWaitMillis: 0, retryBackoffMillis: 120_000 })
    }))

  it.scoped("a date not after the answer's Date waits the backoff, the log naming the Date, whatever this machine's clock says", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 9, 21, 5, 28, 0))
      const server = yield* startServer(teamAfter(tooManyUntilDated(429, "Wed, 21 Oct 2026 07:27:00 GMT", "Wed, 21 Oct 2026 07:28:00 GMT")))
      const logs = yield* captureLogs
      const client = yield* clientFor(server.baseUrl, { backoffBaseMillis: 5_000, maxBackoffSeconds: 1, requestTimeoutSeconds: 600 })
      const fiber = yield* Effect.fork(logs.provide(client.getTeam("bright_otter")))

      assert.strictEqual(yield* elapseRetrySleep(60_000), 1_000)
      assert.deepStrictEqual(yield* Fiber.join(fiber), team)
      assert.deepStrictEqual(waitLines(yield* logs.lines), [[
        "WARN",
        "waiting 1.0s (until 2026-10-21T05:28:01Z) before retrying GET /v1/teams/bright_otter: " +
        "Fivetran answered 429 with Retry-After Wed, 21 Oct 2026 07:27:00 GMT, already past by the answer's own Date"
      ]])
    }))

  it.scoped("without a readable Date, this machine's clock counts, and the log says so of a date past by it", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 9, 21, 7, 28, 0))
      const server = yield* startServer(
        teamAfter(
          tooManyUntilDated(429, "Wed, 21 Oct 2026 07:27:00 GMT", "yesterday"),
          tooManyUntilDated(429, "Wed, 21 Oct 2026 07:28:21 GMT", "yesterday")
        )
      )
      const logs = yield* captureLogs
      const client = yield* clientFor(server.baseUrl, { backoffBaseMillis: 5_000, maxBackoffSeconds: 1, requestTimeoutSeconds: 600 })
      const fiber = yield* Effect.fork(logs.provide(client.getTeam("bright_otter")))
      assert.strictEqual(yield* elapseRetrySleep(60_000), 1_000)
      assert.strictEqual(yield* elapseRetrySleep(60_000), 20_000)
      assert.deepStrictEqual(yield* Fiber.join(fiber), team)
      assert.deepStrictEqual(waitLines(yield* logs.lines), [
        [
          "WARN",
          "waiting 1.0s (until 2026-10-21T07:28:01Z) before retrying GET /v1/teams/bright_otter: " +
          "Fivetran answered 429 with Retry-After Wed, 21 Oct 2026 07:27:00 GMT, already past by this machine's clock"
        ],
        [
          "WARN",
          "waiting 20.0s (until 2026-10-21T07:28:21Z) before retrying GET /v1/teams/bright_otter: " +
          "Fivetran answered 429 with Retry-After Wed, 21 Oct 2026 07:28:21 GMT"
        ]
      ])
    }))

  it("readRetryAfter counts from the Date when there is one, else from now; seconds need neither", () => {
    const now = Date.UTC(2026, 9, 21, 5, 28, 0)
    const date = "Wed, 21 Oct 2026 07:28:30 GMT"
    assert.deepStrictEqual(readRetryAfter(date, "Wed, 21 Oct 2026 07:28:00 GMT", now), { seconds: 30, date, from: "answer-date" })
    assert.deepStrictEqual(readRetryAfter(date, undefined, now), { seconds: 7_230, date, from: "clock" })
    assert.deepStrictEqual(readRetryAfter("30", "Wed, 21 Oct 2026 09:00:00 GMT", now), { seconds: 30, date: undefined, from: undefined })
  })
})
