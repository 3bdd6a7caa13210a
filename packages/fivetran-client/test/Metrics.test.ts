import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Metric, MetricLabel, Stream, TestClock } from "effect"
import {
  fivetranRateLimitRemaining,
  fivetranRequests,
  fivetranReserveWaitSeconds,
  fivetranRetries,
  fivetranRetryWaitSeconds
} from "../src/FivetranMetrics.js"
import * as Examples from "./fixtures/ApiExamples.js"
import { captureLogs } from "./support/CapturedLogs.js"
import { json, startServer } from "./support/ScriptedServer.js"
import { awaitRetrySleep, clientFor, tallied } from "./support/TestClient.js"

const group = (id: string) => ({ id, name: id, created_at: "2024-03-02T09:14:22.118203Z" })
const remaining = (n: number) => ({ "X-Rate-Limit-Remaining": String(n), "X-Rate-Limit": "20000" })

describe("metrics and logs", () => {
  it.scoped("counters are exact after a scripted run; one Debug line per attempt", () =>
    Effect.gen(function*() {
      const script = [
        json(200, { code: "Success", data: { items: [group("a")], next_cursor: "p2" } }, remaining(100)),
        json(500, { code: "InternalError" }, remaining(99)),
        json(200, { code: "Success", data: { items: [group("b")], next_cursor: null } }, remaining(98)),
        json(429, { code: "TooManyRequests" }, { ...remaining(0), "Retry-After": "2" }),
        json(200, Examples.User_2_2, remaining(97)),
        json(404, Examples.NotFound_1_5, remaining(96)),
        json(200, Examples.AccountInfo_7)
      ]
      const server = yield* startServer((_, index) => script[index]!)
      const logs = yield* captureLogs
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600, rateLimitReservePercent: 0 })

      // The process-wide Effect metrics, labelled by route template, never by id. Other test files
      // running in the same worker count into them too, so the run is judged by what it added.
      const countOf = (counter: typeof fivetranRequests, route: string, label: string, value: string) =>
        Effect.map(
          Metric.value(Metric.taggedWithLabels(counter, [
            MetricLabel.make("method", "GET"),
            MetricLabel.make("route", route),
            MetricLabel.make(label, value)
          ])),
          (state) => state.count
        )
      const requestsAt = (route: string, status: string) => countOf(fivetranRequests, route, "status", status)
      const retriesOf = (route: string, reason: string) => countOf(fivetranRetries, route, "reason", reason)
      const waited = (reason: string) =>
        Effect.map(Metric.value(Metric.tagged(fivetranRetryWaitSeconds, "reason", reason)), (state) => state.count)
      const counters = Effect.all([
        requestsAt("/v1/groups", "200"),
        requestsAt("/v1/groups", "500"),
        requestsAt("/v1/users/{id}", "429"),
        requestsAt("/v1/users/{id}", "200"),
        requestsAt("/v1/teams/{id}", "404"),
        requestsAt("/v1/account/info", "200"),
        requestsAt("/v1/users/quiet_harbor", "200"),
        retriesOf("/v1/groups", "server_error"),
        retriesOf("/v1/users/{id}", "rate_limited"),
        waited("rate_limited"),
        waited("server_error")
      ])
      const before = yield* counters

      const run = Effect.gen(function*() {
        const groups = yield* Effect.fork(Stream.runCollect(client.listGroups))
        const backoff = yield* awaitRetrySleep(10_000)
        yield* TestClock.adjust(backoff)
        yield* Fiber.join(groups)
        const user = yield* Effect.fork(client.getUser("quiet_harbor"))
        yield* TestClock.adjust(yield* awaitRetrySleep(10_000))
        yield* Fiber.join(user)
        yield* Effect.flip(client.getTeam("bright_otter"))
        yield* client.accountInfo
        return backoff
      })
      const { counts, outcome } = yield* tallied(logs.provide(run))
      const backoff = yield* outcome

      assert.deepStrictEqual(counts, { requests: 7, retries: 2, rateLimitWaitMillis: 2_000, retryBackoffMillis: Math.round(backoff) })

      const added = (yield* counters).map((after, i) => after - before[i]!)
      // Requests by route and status (none under an id) and retries by reason; then the waits, in
      // seconds summed as floating point over the whole file, so a difference of sums is exact only
      // to the rounding of those sums (1e-9 failed by 1.000004e-9 once): to a microsecond.
      assert.deepStrictEqual(added.slice(0, 9), [2, 1, 1, 1, 1, 1, 0, 1, 1])
      assert.closeTo(added[9]!, 2, 1e-6)
      assert.closeTo(added[10]!, backoff / 1000, 1e-6)
      assert.strictEqual((yield* Metric.value(fivetranRateLimitRemaining)).value, 96)

      const all = yield* logs.lines
      const lines = all.filter((l) => l.message === "Fivetran request")
      assert.deepStrictEqual(
        lines.map((l) => [l.level, l.message, l.annotations["method"], l.annotations["path"], l.annotations["status"]]),
        [
          ["DEBUG", "Fivetran request", "GET", "/v1/groups", 200],
          ["DEBUG", "Fivetran request", "GET", "/v1/groups", 500],
          ["DEBUG", "Fivetran request", "GET", "/v1/groups", 200],
          ["DEBUG", "Fivetran request", "GET", "/v1/users/quiet_harbor", 429],
          ["DEBUG", "Fivetran request", "GET", "/v1/users/quiet_harbor", 200],
          ["DEBUG", "Fivetran request", "GET", "/v1/teams/bright_otter", 404],
          ["DEBUG", "Fivetran request", "GET", "/v1/account/info", 200]
        ]
      )
      assert.isTrue(lines.every((l) => typeof l.annotations["duration_ms"] === "number"))
      // The two retry waits: the sub-2s backoff after the 500 at debug, the 429's Retry-After at warn.
      assert.deepStrictEqual(
        all.filter((l) => l.message.startsWith("waiting")).map((l) => [l.level, l.annotations["wait_kind"]]),
        [["DEBUG", "retry"], ["WARN", "rate_limited"]]
      )
    }))

  it.scoped("a reserve wait and a 429 wait abandoned after 1 s add 1 s to their wait metrics, not their planned length", () =>
    Effect.gen(function*() {
      const server = yield* startServer((request) =>
        request.path === "/v1/users/limited"
          ? json(429, { code: "TooManyRequests" }, { "Retry-After": "20" })
          : json(200, Examples.AccountInfo_7, {
            "X-Rate-Limit": "100",
            "X-Rate-Limit-Remaining": "10",
            "X-Rate-Limit-Window-Seconds": "60"
          })
      )
      const reserved = yield* clientFor(server.baseUrl, { rateLimitReservePercent: 10, requestTimeoutSeconds: 600 })
      const limited = yield* clientFor(server.baseUrl, { rateLimitReservePercent: 0, requestTimeoutSeconds: 600 })
      const reserveWaited = Effect.map(Metric.value(fivetranReserveWaitSeconds), (state) => state.count)
      const rateLimitedWaited = Effect.map(
        Metric.value(Metric.tagged(fivetranRetryWaitSeconds, "reason", "rate_limited")),
        (state) => state.count
      )
      const before = [yield* reserveWaited, yield* rateLimitedWaited] as const

      // The budget is down to the reserve: the next request is held back.
      yield* reserved.accountInfo
      const held = yield* Effect.fork(reserved.accountInfo)
      const reservePlanned = yield* awaitRetrySleep(60_000)
      yield* TestClock.adjust(1_000)
      yield* Fiber.interrupt(held)

      const retried = yield* Effect.fork(limited.getUser("limited"))
      // The interrupted reserve sleep stays on the TestClock (59 s ahead): only the 20 s one is looked for.
      const retryPlanned = yield* awaitRetrySleep(20_000)
      yield* TestClock.adjust(1_000)
      yield* Fiber.interrupt(retried)

      assert.deepStrictEqual([reservePlanned, retryPlanned], [60_000, 20_000])
      const added = [(yield* reserveWaited) - before[0], (yield* rateLimitedWaited) - before[1]]
      assert.deepStrictEqual(added.map((seconds) => Math.round(seconds * 1e6) / 1e6), [1, 1])
    }))
})
