import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, TestClock } from "effect"
import { captureLogs, waitLines } from "./support/CapturedLogs.js"
import { json, startServer } from "./support/ScriptedServer.js"
import { awaitRetrySleep, clientFor, elapseRetrySleep, elapseRetrySleepNotEarly, tallied } from "./support/TestClient.js"
import { membershipBody, team, teamAfter } from "./support/RetryAnswers.js"
import { retryWaitSeconds, teamReadRetries } from "./support/ClientMetrics.js"

/** A 503 as a gateway in maintenance sends it, with `Retry-After` (and the answer's `Date`, when given). */
const unavailable = (retryAfter: string, date?: string) =>
  json(503, { code: "ServiceUnavailable" }, { "Retry-After": retryAfter, ...(date === undefined ? {} : { Date: date }) })

describe("a 503 with Retry-After", () => {
  it.scoped("is retried once its seconds have elapsed, not after the backoff, and the wait is a retry's, not the rate limit's", () =>
    Effect.gen(function*() {
      const server = yield* startServer(teamAfter(unavailable("30")))
      const logs = yield* captureLogs
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600 })
      const [retriesBefore, serverWaitBefore, rateWaitBefore] = [
        yield* teamReadRetries("server_error"),
        yield* retryWaitSeconds("server_error"),
        yield* retryWaitSeconds("rate_limited")
      ]
      const fiber = yield* Effect.fork(tallied(logs.provide(client.getTeam("bright_otter"))))

      assert.strictEqual(yield* awaitRetrySleep(60_000), 30_000)
      assert.deepStrictEqual(
        Option.map(yield* client.waits.current, (wait) => [wait.kind, wait.millis]),
        Option.some(["retry", 30_000])
      )
      yield* elapseRetrySleepNotEarly(30_000, server.requests, fiber)
      const { counts, outcome } = yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* outcome, team)
      assert.strictEqual((yield* server.requests).length, 2)
      assert.deepStrictEqual(counts, { requests: 2, retries: 1, rateLimitWaitMillis: 0, retryBackoffMillis: 30_000 })
      assert.strictEqual((yield* teamReadRetries("server_error")) - retriesBefore, 1)
      assert.closeTo((yield* retryWaitSeconds("server_error")) - serverWaitBefore, 30, 1e-9)
      assert.closeTo((yield* retryWaitSeconds("rate_limited")) - rateWaitBefore, 0, 1e-9)
      assert.deepStrictEqual(waitLines(yield* logs.lines), [[
        "WARN",
        "waiting 30.0s (until 1970-01-01T00:00:30Z) before retrying GET /v1/teams/bright_otter: Fivetran answered 503 with Retry-After 30s"
      ]])
    }))

  it.scoped("an HTTP-date is waited until, as a 429's", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 9, 21, 7, 27, 0))
      const server = yield* startServer(teamAfter(unavailable("Wed, 21 Oct 2026 07:29:30 GMT", "Wed, 21 Oct 2026 07:27:00 GMT")))
      const logs = yield* captureLogs
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 6_000 })
      const fiber = yield* Effect.fork(tallied(logs.provide(client.getTeam("bright_otter"))))

      assert.strictEqual(yield* elapseRetrySleep(600_000), 150_000)
      const { counts, outcome } = yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* outcome, team)
      assert.deepStrictEqual(counts, { requests: 2, retries: 1, rateLimitWaitMillis: 0, retryBackoffMillis: 150_000 })
      assert.deepStrictEqual(waitLines(yield* logs.lines), [[
        "WARN",
        "waiting 2m 30s (until 2026-10-21T07:29:30Z) before retrying GET /v1/teams/bright_otter: " +
        "Fivetran answered 503 with Retry-After Wed, 21 Oct 2026 07:29:30 GMT"
      ]])
    }))

  it.scoped("a POST is repeated after it, as after any 503", () =>
    Effect.gen(function*() {
      const server = yield* startServer((_, index) => index === 0 ? unavailable("12") : json(201, membershipBody))
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600 })
      const fiber = yield* Effect.fork(client.userGroups.add("quiet_harbor", { id: "amber_falcon", role: "Manage Destination" }))
      assert.strictEqual(yield* elapseRetrySleep(60_000), 12_000)
      assert.deepStrictEqual(yield* Fiber.join(fiber), membershipBody.data)
      assert.strictEqual((yield* server.requests).length, 2)
    }))

  it.scoped("counts against the attempts: the last 503 is the call's error", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => unavailable("30"))
      const client = yield* clientFor(server.baseUrl, { maxAttempts: 2, requestTimeoutSeconds: 600 })
      const fiber = yield* Effect.fork(tallied(Effect.flip(client.getTeam("bright_otter"))))
      assert.strictEqual(yield* elapseRetrySleep(60_000), 30_000)
      const { counts, outcome } = yield* Fiber.join(fiber)
      const error = yield* outcome
      assert.deepStrictEqual([error._tag, error.message], [
        "ServerError",
        "GET /v1/teams/bright_otter: Fivetran answered 503; gave up after 2 attempts"
      ])
      assert.deepStrictEqual(counts, { requests: 2, retries: 1, rateLimitWaitMillis: 0, retryBackoffMillis: 30_000 })
    }))

  it.scoped("longer than max-rate-limit-wait fails at once as the ServerError it is, saying why it was not retried", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => unavailable("7200"))
      const client = yield* clientFor(server.baseUrl, { maxRateLimitWaitSeconds: 3_600 })
      const { counts, outcome } = yield* tallied(client.getTeam("bright_otter"))
      const error = yield* Effect.flip(outcome)
      assert.strictEqual(error._tag, "ServerError")
      assert.strictEqual(
        error.message,
        "GET /v1/teams/bright_otter: Fivetran answered 503 with Retry-After 7200s; that needs a wait of 2h, " +
          "longer than max-rate-limit-wait (1h): not retried; raise it or retry later"
      )
      assert.strictEqual((yield* server.requests).length, 1)
      assert.deepStrictEqual(counts, { requests: 1, retries: 0, rateLimitWaitMillis: 0, retryBackoffMillis: 0 })
    }))

  it.scoped("on a 502 it means nothing: the backoff applies", () =>
    Effect.gen(function*() {
      const server = yield* startServer(teamAfter(json(502, { code: "BadGateway" }, { "Retry-After": "30" })))
      const client = yield* clientFor(server.baseUrl, { backoffBaseMillis: 5_000, maxBackoffSeconds: 1, requestTimeoutSeconds: 600 })
      const fiber = yield* Effect.fork(client.getTeam("bright_otter"))
      assert.strictEqual(yield* elapseRetrySleep(60_000), 1_000)
      assert.deepStrictEqual(yield* Fiber.join(fiber), team)
    }))
})
