import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, TestClock } from "effect"
import { withRateLimitWaitCap } from "../src/RateLimitWaitCap.js"
import { captureLogs } from "./support/CapturedLogs.js"
import { json, startServer, text } from "./support/ScriptedServer.js"
import {
  awaitRequests,
  awaitRetrySleep,
  clientFor,
  closedPort,
  elapseRetrySleep,
  elapseRetrySleepNotEarly,
  liveWait,
  pollUntil,
  tallied
} from "./support/TestClient.js"
import { membershipBody, team, teamAfter } from "./support/RetryAnswers.js"
import { retryWaitSeconds, teamReadRetries } from "./support/ClientMetrics.js"

describe("retries", () => {
  it.scoped("429 is retried only once its Retry-After has elapsed", () =>
    Effect.gen(function*() {
      const server = yield* startServer(teamAfter(json(429, { code: "TooManyRequests", message: "slow down" }, { "Retry-After": "7" })))
      // A long request timeout keeps its pending sleep out of the way of the retry sleep looked for.
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600 })
      const fiber = yield* Effect.fork(tallied(client.getTeam("bright_otter")))

      assert.strictEqual(yield* awaitRetrySleep(60_000), 7_000)
      yield* elapseRetrySleepNotEarly(7_000, server.requests, fiber)
      const { counts, outcome } = yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* outcome, team)
      assert.strictEqual((yield* server.requests).length, 2)
      assert.deepStrictEqual(counts, { requests: 2, retries: 1, rateLimitWaitMillis: 7_000, retryBackoffMillis: 0 })
    }))

  it.scoped("a long Retry-After is waited in full; without one, or unreadable, the backoff applies, capped; every 429 wait warns", () =>
    Effect.gen(function*() {
      const server = yield* startServer(teamAfter(
        json(429, { code: "TooManyRequests" }, { "Retry-After": "3081" }),
        json(429, { code: "TooManyRequests" }),
        json(429, { code: "TooManyRequests" }, { "Retry-After": "1.5" })
      ))
      const logs = yield* captureLogs
      const client = yield* clientFor(server.baseUrl, {
        maxBackoffSeconds: 1,
        backoffBaseMillis: 5_000,
        requestTimeoutSeconds: 4_000
      })
      const fiber = yield* Effect.fork(logs.provide(client.getTeam("bright_otter")))

      assert.strictEqual(yield* elapseRetrySleep(3_500_000), 3_081_000)
      // Second wait: the backoff (5 s ± 20%) capped at MAX_BACKOFF_SECONDS; the third's header is unreadable: the same.
      assert.strictEqual(yield* elapseRetrySleep(10_000), 1_000)
      assert.strictEqual(yield* elapseRetrySleep(10_000), 1_000)
      assert.deepStrictEqual(yield* Fiber.join(fiber), team)
      assert.strictEqual((yield* server.requests).length, 4)
      const waits = (yield* logs.lines).filter((line) => line.text.startsWith("waiting"))
      assert.deepStrictEqual(waits.map((line) => [line.level, line.text]), [
        [
          "WARN",
          "waiting 51m 21s (until 1970-01-01T00:51:21Z) before retrying GET /v1/teams/bright_otter: " +
          "Fivetran answered 429 with Retry-After 3081s"
        ],
        [
          "WARN",
          "waiting 1.0s (until 1970-01-01T00:51:22Z) before retrying GET /v1/teams/bright_otter: Fivetran answered 429 without Retry-After"
        ],
        [
          "WARN",
          "waiting 1.0s (until 1970-01-01T00:51:23Z) before retrying GET /v1/teams/bright_otter: " +
          "Fivetran answered 429 with a Retry-After that is neither seconds nor a date (the backoff applies)"
        ]
      ])
    }))

  it.scoped("a call abandoned during its wait made no retry: not counted, and the log says it was not retried", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => json(429, { code: "TooManyRequests" }, { "Retry-After": "5" }))
      const logs = yield* captureLogs
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600 })
      const retriesBefore = yield* teamReadRetries("rate_limited")
      const waitedBefore = yield* retryWaitSeconds("rate_limited")
      // The caller (a readiness check) gives up 2 s into the 5 s wait.
      const fiber = yield* Effect.fork(tallied(logs.provide(client.getTeam("bright_otter").pipe(Effect.timeout("2 seconds")))))
      assert.strictEqual(yield* pollUntil("the wait", Effect.map(client.waits.current, Option.map((wait) => wait.millis))), 5_000)
      yield* TestClock.adjust(2_000)
      const { counts, outcome } = yield* Fiber.join(fiber)

      assert.strictEqual((yield* Effect.flip(outcome))._tag, "TimeoutException")
      assert.strictEqual((yield* server.requests).length, 1)
      assert.deepStrictEqual(counts, { requests: 1, retries: 0, rateLimitWaitMillis: 2_000, retryBackoffMillis: 0 })
      assert.strictEqual((yield* teamReadRetries("rate_limited")) - retriesBefore, 0)
      // The wait itself counts, up to when it was cut short.
      assert.closeTo((yield* retryWaitSeconds("rate_limited")) - waitedBefore, 2, 1e-9)
      const lines = (yield* logs.lines).filter((line) => line.level !== "DEBUG")
      assert.deepStrictEqual(lines.map((line) => [line.level, line.text]), [
        [
          "WARN",
          "waiting 5.0s (until 1970-01-01T00:00:05Z) before retrying GET /v1/teams/bright_otter: Fivetran answered 429 with Retry-After 5s"
        ],
        ["INFO", "stopped waiting after 2.0s: GET /v1/teams/bright_otter was not retried (its caller gave up on it)"]
      ])
    }))

  it.scoped("a retry is counted as it is sent, with the reason of the failure it repeats", () =>
    Effect.gen(function*() {
      const server = yield* startServer(teamAfter(json(429, { code: "TooManyRequests" }, { "Retry-After": "3" })))
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600 })
      const retriesBefore = yield* teamReadRetries("rate_limited")
      const fiber = yield* Effect.fork(tallied(client.getTeam("bright_otter")))
      assert.strictEqual(yield* awaitRetrySleep(10_000), 3_000)
      // Waiting: nothing retried yet.
      assert.strictEqual((yield* teamReadRetries("rate_limited")) - retriesBefore, 0)
      yield* TestClock.adjust(3_000)
      const { counts } = yield* Fiber.join(fiber)
      assert.deepStrictEqual(counts, { requests: 2, retries: 1, rateLimitWaitMillis: 3_000, retryBackoffMillis: 0 })
      assert.strictEqual((yield* teamReadRetries("rate_limited")) - retriesBefore, 1)
    }))

  it.scoped("a Retry-After beyond the maximum rate-limit wait fails at once, saying how long it would need", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => json(429, { code: "TooManyRequests" }, { "Retry-After": "3081" }))
      const client = yield* clientFor(server.baseUrl, { maxRateLimitWaitSeconds: 600 })
      const { counts, outcome } = yield* tallied(client.getTeam("bright_otter"))
      const error = yield* Effect.flip(outcome)
      assert.strictEqual(error._tag, "RateLimitWaitTooLong")
      assert.strictEqual(
        error.message,
        "GET /v1/teams/bright_otter: Fivetran answered 429 with Retry-After 3081s; that needs a wait of 51m 21s, " +
          "longer than max-rate-limit-wait (10m): raise it or retry later"
      )
      assert.strictEqual((yield* server.requests).length, 1)
      assert.deepStrictEqual(counts, { requests: 1, retries: 0, rateLimitWaitMillis: 0, retryBackoffMillis: 0 })
    }))

  it.scoped("a caller's wait cap bounds its calls' waits together, naming its setting, and leaves other calls alone", () =>
    Effect.gen(function*() {
      const retryAfter = ["45", "20", "20", "45"]
      const server = yield* startServer(
        teamAfter(...retryAfter.map((seconds) => json(429, { code: "TooManyRequests" }, { "Retry-After": seconds })))
      )
      const client = yield* clientFor(server.baseUrl, { maxRateLimitWaitSeconds: 600, requestTimeoutSeconds: 600 })
      const capped = withRateLimitWaitCap({ millis: 30_000, setting: "max-provisioning-wait" })
      const tooLong = yield* Effect.flip(client.getTeam("bright_otter").pipe(capped))
      assert.deepStrictEqual(
        [tooLong._tag, tooLong.message],
        [
          "RateLimitWaitTooLong",
          "GET /v1/teams/bright_otter: Fivetran answered 429 with Retry-After 45s; that needs a wait of 45.0s, " +
          "longer than max-provisioning-wait (30.0s): raise it or retry later"
        ]
      )
      assert.strictEqual((yield* server.requests).length, 1)
      // 20 s waited out leave 10 s of the 30: the next 20 s are refused at once. (Each attempt's
      // deadline at the cap, 30 s on, is a sleep of its own: only a shorter one is the retry's.)
      const twice = yield* Effect.fork(Effect.flip(client.getTeam("bright_otter").pipe(capped)))
      assert.strictEqual(yield* elapseRetrySleep(25_000), 20_000)
      const leftTooLong = yield* Fiber.join(twice)
      assert.deepStrictEqual(
        [leftTooLong._tag, leftTooLong.message],
        [
          "RateLimitWaitTooLong",
          "GET /v1/teams/bright_otter: Fivetran answered 429 with Retry-After 20s; that needs a wait of 20.0s, " +
          "longer than what is left of max-provisioning-wait (10.0s): raise it or retry later"
        ]
      )
      assert.strictEqual((yield* server.requests).length, 3)
      // Every attempt had only what was left of the cap to be answered in: those deadlines' timers stay
      // among the TestClock's sleeps until they are due (an interrupted sleep is not removed), so they
      // are let pass before the next call's wait is looked for.
      yield* TestClock.adjust(10_000)
      // A cap longer than the client's own bound does not lengthen it; the 45 s are waited out.
      const uncapped = yield* Effect.fork(
        client.getTeam("bright_otter").pipe(withRateLimitWaitCap({ millis: 3_600_000, setting: "max-provisioning-wait" }))
      )
      assert.strictEqual(yield* elapseRetrySleep(60_000), 45_000)
      assert.deepStrictEqual(yield* Fiber.join(uncapped), team)
      assert.strictEqual((yield* server.requests).length, 5)
    }))

  it.scoped("past a caller's wait cap no failed attempt is repeated: a hanging server costs it one more timeout, not four", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => Effect.never)
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 20 })
      const fiber = yield* Effect.fork(Effect.flip(
        client.getTeam("bright_otter").pipe(withRateLimitWaitCap({ millis: 30_000, setting: "max-provisioning-wait" }))
      ))
      yield* awaitRequests(server.requests, 1)
      yield* TestClock.adjust("20 seconds")
      // 20 s in, the cap's 30 s have not passed: the timeout is retried after its backoff.
      yield* elapseRetrySleep(10_000)
      yield* awaitRequests(server.requests, 2)
      yield* TestClock.adjust("20 seconds")
      const error = yield* Fiber.join(fiber)
      assert.deepStrictEqual([error._tag, error.message.endsWith("; gave up after 2 attempts")], ["Transport", true])
      yield* liveWait(50)
      assert.strictEqual((yield* server.requests).length, 2)
    }))

  it.scoped("5xx is retried with exponential backoff up to MAX_ATTEMPTS, then fails", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => text(502, "bad gateway"))
      const logs = yield* captureLogs
      const client = yield* clientFor(server.baseUrl, { maxAttempts: 5, backoffBaseMillis: 500 })
      const fiber = yield* Effect.fork(tallied(logs.provide(Effect.flip(client.getTeam("bright_otter")))))

      const delays: Array<number> = []
      for (let retry = 0; retry < 4; retry++) {
        delays.push(yield* elapseRetrySleep(10_000))
        assert.strictEqual((yield* awaitRequests(server.requests, retry + 2)).length, retry + 2)
      }
      const { counts, outcome } = yield* Fiber.join(fiber)
      const error = yield* outcome

      assert.strictEqual(error._tag, "ServerError")
      assert.strictEqual((yield* server.requests).length, 5)
      delays.forEach((delay, retry) => {
        const nominal = 500 * 2 ** retry
        assert.isTrue(delay >= nominal * 0.8 && delay <= nominal * 1.2, `retry ${retry} waited ${delay}`)
      })
      assert.deepStrictEqual(counts, {
        requests: 5,
        retries: 4,
        rateLimitWaitMillis: 0,
        retryBackoffMillis: Math.round(delays.reduce((sum, d) => sum + d, 0))
      })
      // A wait over 2 s is never silent: it warns with what failed and how long; shorter blips are debug.
      const waits = (yield* logs.lines).filter((line) => line.text.startsWith("waiting"))
      assert.deepStrictEqual(waits.map((line) => line.level), delays.map((d) => d > 2_000 ? "WARN" : "DEBUG"))
      assert.match(waits[3]!.text, /^waiting [34]\.\ds \(until .+\) before retrying GET \/v1\/teams\/bright_otter: .*502/)
    }))

  it.scoped("400, 403, 404 and an invalid body are not retried", () =>
    Effect.gen(function*() {
      const answers = [
        json(400, { code: "InvalidInput" }),
        json(403, { code: "Forbidden" }),
        json(404, { code: "NotFound_Team" }),
        json(200, { code: "Success", data: { id: 1 } })
      ]
      const server = yield* startServer((_, index) => answers[index]!)
      const client = yield* clientFor(server.baseUrl)
      const tags: Array<string> = []
      const { counts } = yield* tallied(Effect.gen(function*() {
        for (let call = 0; call < answers.length; call++) {
          tags.push((yield* Effect.flip(client.getTeam("bright_otter")))._tag)
          assert.strictEqual((yield* server.requests).length, call + 1)
        }
      }))
      assert.deepStrictEqual(tags, ["BadRequest", "Forbidden", "NotFound", "InvalidResponse"])
      assert.strictEqual(counts.retries, 0)
    }))

  it.scoped("a timed-out GET is retried and can then succeed", () =>
    Effect.gen(function*() {
      const server = yield* startServer(teamAfter(Effect.never))
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 20 })
      const fiber = yield* Effect.fork(client.getTeam("bright_otter"))
      yield* awaitRequests(server.requests, 1)
      yield* TestClock.adjust("20 seconds")
      yield* elapseRetrySleep(10_000)
      assert.deepStrictEqual(yield* Fiber.join(fiber), team)
      assert.strictEqual((yield* server.requests).length, 2)
    }))

  it.scoped("POST is not repeated after a 500 or a timeout: the write may have happened", () =>
    Effect.gen(function*() {
      const server = yield* startServer((_, index) => (index === 0 ? text(500, "oops") : Effect.never))
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 20 })
      const serverError = yield* Effect.flip(client.teamGroups.add("t1", { id: "amber_falcon", role: "Manage Destination" }))
      assert.strictEqual(serverError._tag, "ServerError")
      const fiber = yield* Effect.fork(Effect.flip(client.createTeam({ name: "Analysts", role: "Account Reviewer" })))
      yield* awaitRequests(server.requests, 2)
      yield* TestClock.adjust("20 seconds")
      assert.strictEqual((yield* Fiber.join(fiber))._tag, "Transport")
      yield* liveWait(50)
      assert.strictEqual((yield* server.requests).length, 2)
    }))

  it.scoped("POST is repeated after 429 and 503, which say the request was not processed", () =>
    Effect.gen(function*() {
      const server = yield* startServer((_, index) =>
        index === 0
          ? json(429, { code: "TooManyRequests" }, { "Retry-After": "1" })
          : index === 1
          ? text(503, "unavailable")
          : json(201, membershipBody)
      )
      const client = yield* clientFor(server.baseUrl)
      const fiber = yield* Effect.fork(client.userGroups.add("quiet_harbor", { id: "amber_falcon", role: "Manage Destination" }))
      assert.strictEqual(yield* elapseRetrySleep(10_000), 1_000)
      yield* elapseRetrySleep(10_000)
      assert.deepStrictEqual(yield* Fiber.join(fiber), membershipBody.data)
      const seen = yield* server.requests
      assert.strictEqual(seen.length, 3)
      assert.deepStrictEqual(seen.map((r) => JSON.parse(r.body)), Array(3).fill({ id: "amber_falcon", role: "Manage Destination" }))
    }))

  it.scoped("POST is repeated when the connection was refused, up to MAX_ATTEMPTS", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const client = yield* clientFor(`http://127.0.0.1:${port}`, { maxAttempts: 3 })
      const fiber = yield* Effect.fork(tallied(Effect.flip(client.createGroup({ name: "Warehouse_EU" }))))
      yield* elapseRetrySleep(10_000)
      yield* elapseRetrySleep(10_000)
      const { counts, outcome } = yield* Fiber.join(fiber)
      assert.strictEqual((yield* outcome)._tag, "Transport")
      assert.deepStrictEqual([counts.requests, counts.retries], [3, 2])
    }))
})
