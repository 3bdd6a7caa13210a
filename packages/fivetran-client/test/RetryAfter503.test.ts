import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Metric, MetricLabel, Option, TestClock } from "effect"
import { fivetranRetries, fivetranRetryWaitSeconds } from "../src/FivetranMetrics.js"
import { captureLogs } from "./support/CapturedLogs.js"
import { json, startServer } from "./support/ScriptedServer.js"
import { awaitRetrySleep, clientFor, liveWait, tallied } from "./support/TestClient.js"

const team = { id: "bright_otter", name: "Analysts", description: null, role: "Account Reviewer" }
const teamBody = { code: "Success", data: team }
const membershipBody = {
  code: "Success",
  message: "Group membership has been created",
  data: { id: "amber_falcon", role: "Manage Destination", created_at: "2025-05-06T12:00:01.554210Z" }
}

/** A 503 as a gateway in maintenance sends it, with `Retry-After` (and the answer's `Date`, when given). */
const unavailable = (retryAfter: string, date?: string) =>
  json(503, { code: "ServiceUnavailable" }, { "Retry-After": retryAfter, ...(date === undefined ? {} : { Date: date }) })

/** Process-wide: retries of `GET /v1/teams/{id}` for a server error, and the seconds waited before retrying one. */
const serverErrorRetries = Effect.map(
  Metric.value(Metric.taggedWithLabels(fivetranRetries, [
    MetricLabel.make("method", "GET"),
    MetricLabel.make("route", "/v1/teams/{id}"),
    MetricLabel.make("reason", "server_error")
  ])),
  (state) => state.count
)
const waitedSeconds = (reason: "server_error" | "rate_limited") =>
  Effect.map(Metric.value(Metric.tagged(fivetranRetryWaitSeconds, "reason", reason)), (state) => state.count)

const waitLines = (lines: ReadonlyArray<{ readonly level: string; readonly text: string }>) =>
  lines.filter((line) => line.text.startsWith("waiting")).map((line) => [line.level, line.text])

describe("a 503 with Retry-After", () => {
  it.scoped("is retried once its seconds have elapsed, not after the backoff, and the wait is a retry's, not the rate limit's", () =>
    Effect.gen(function*() {
      const server = yield* startServer((_, index) => index === 0 ? unavailable("30") : json(200, teamBody))
      const logs = yield* captureLogs
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600 })
      const [retriesBefore, serverWaitBefore, rateWaitBefore] = [
        yield* serverErrorRetries,
        yield* waitedSeconds("server_error"),
        yield* waitedSeconds("rate_limited")
      ]
      const fiber = yield* Effect.fork(tallied(logs.provide(client.getTeam("bright_otter"))))

      assert.strictEqual(yield* awaitRetrySleep(60_000), 30_000)
      assert.deepStrictEqual(
        Option.map(yield* client.waits.current, (wait) => [wait.kind, wait.millis]),
        Option.some(["retry", 30_000])
      )
      yield* TestClock.adjust(29_999)
      yield* liveWait(50)
      assert.strictEqual((yield* server.requests).length, 1)
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))

      yield* TestClock.adjust(1)
      const { counts, outcome } = yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* outcome, team)
      assert.strictEqual((yield* server.requests).length, 2)
      assert.deepStrictEqual(counts, { requests: 2, retries: 1, rateLimitWaitMillis: 0, retryBackoffMillis: 30_000 })
      assert.strictEqual((yield* serverErrorRetries) - retriesBefore, 1)
      assert.closeTo((yield* waitedSeconds("server_error")) - serverWaitBefore, 30, 1e-9)
      assert.closeTo((yield* waitedSeconds("rate_limited")) - rateWaitBefore, 0, 1e-9)
      assert.deepStrictEqual(waitLines(yield* logs.lines), [[
        "WARN",
        "waiting 30.0s (until 1970-01-01T00:00:30Z) before retrying GET /v1/teams/bright_otter: Fivetran answered 503 with Retry-After 30s"
      ]])
    }))

  it.scoped("an HTTP-date is waited until, as a 429's", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 9, 21, 7, 27, 0))
      const server = yield* startServer((_, index) =>
        index === 0 ? unavailable("Wed, 21 Oct 2026 07:29:30 GMT", "Wed, 21 Oct 2026 07:27:00 GMT") : json(200, teamBody)
      )
      const logs = yield* captureLogs
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 6_000 })
      const fiber = yield* Effect.fork(tallied(logs.provide(client.getTeam("bright_otter"))))

      assert.strictEqual(yield* awaitRetrySleep(600_000), 150_000)
      yield* TestClock.adjust(150_000)
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
      assert.strictEqual(yield* awaitRetrySleep(60_000), 12_000)
      yield* TestClock.adjust(12_000)
      assert.deepStrictEqual(yield* Fiber.join(fiber), membershipBody.data)
      assert.strictEqual((yield* server.requests).length, 2)
    }))

  it.scoped("counts against the attempts: the last 503 is the call's error", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => unavailable("30"))
      const client = yield* clientFor(server.baseUrl, { maxAttempts: 2, requestTimeoutSeconds: 600 })
      const fiber = yield* Effect.fork(tallied(Effect.flip(client.getTeam("bright_otter"))))
      assert.strictEqual(yield* awaitRetrySleep(60_000), 30_000)
      yield* TestClock.adjust(30_000)
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
      const server = yield* startServer((_, index) =>
        index === 0 ? json(502, { code: "BadGateway" }, { "Retry-After": "30" }) : json(200, teamBody)
      )
      const client = yield* clientFor(server.baseUrl, { backoffBaseMillis: 5_000, maxBackoffSeconds: 1, requestTimeoutSeconds: 600 })
      const fiber = yield* Effect.fork(client.getTeam("bright_otter"))
      assert.strictEqual(yield* awaitRetrySleep(60_000), 1_000)
      yield* TestClock.adjust(1_000)
      assert.deepStrictEqual(yield* Fiber.join(fiber), team)
    }))
})
