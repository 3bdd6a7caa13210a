import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Metric, MetricBoundaries, Ref, RuntimeFlags, RuntimeFlagsPatch } from "effect"
import { prometheusText } from "../src/PrometheusText.js"
import { httpRequests } from "../src/RequestTelemetry.js"
import { exchange } from "./RawExchange.js"
import { runServiceOnce } from "./ServiceProcess.js"

const Token = "prometheus-text-test-token"

/**
 * The bundled service under `env`, sent the same requests: a GET, a DELETE, one of a method Node does
 * not know (`_OTHER`); then its /metrics, each line up to its value.
 */
const scrapedUnder = (env: Record<string, string>) =>
  Effect.gen(function*() {
    const cwd = yield* (yield* FileSystem.FileSystem).makeTempDirectoryScoped()
    const scraped = yield* Ref.make<ReadonlyArray<string>>([])
    const { code, stderr } = yield* runServiceOnce(
      ["--sandbox", "--port", "0", "--data-dir", `${cwd}/data`],
      { cwd, env: { BATON_HTTP_TOKENS: Token, ...env } },
      (url) =>
        Effect.gen(function*() {
          const port = Number(new URL(url).port)
          const authorized = `Host: 127.0.0.1\r\nAuthorization: Bearer ${Token}\r\nConnection: close\r\n\r\n`
          yield* exchange(port, `GET /v1/syncs HTTP/1.1\r\n${authorized}`)
          yield* exchange(port, `DELETE /v1/grants/g1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)
          yield* exchange(port, "BREW / HTTP/1.1\r\n\r\n")
          const metrics = yield* exchange(port, `GET /metrics HTTP/1.1\r\n${authorized}`)
          const body = metrics.slice(metrics.indexOf("\r\n\r\n") + 4)
          yield* Ref.set(scraped, body.split("\n").filter((line) => line !== "").map((line) => line.replace(/ [^ ]+$/, "")))
        }).pipe(Effect.orDie)
    )
    assert.strictEqual(code, 0, stderr)
    return yield* Ref.get(scraped)
  })

describe("Prometheus text", () => {
  it.live("escapes label values and help text; names outside [a-zA-Z0-9_:] become _", () =>
    Effect.gen(function*() {
      const counter = Metric.counter("test_escapes-total", { description: "line one\nline two \\ end", incremental: true })
      yield* Metric.incrementBy(Metric.tagged(counter, "path", "a\"b\nc\\d"), 3)
      const lines = (yield* prometheusText).split("\n")
      assert.include(lines, "# HELP test_escapes_total line one\\nline two \\\\ end")
      assert.include(lines, "# TYPE test_escapes_total counter")
      assert.include(lines, "test_escapes_total{path=\"a\\\"b\\nc\\\\d\"} 3")
    }))

  it.live("a histogram: cumulative buckets in order, +Inf, _sum and _count", () =>
    Effect.gen(function*() {
      const histogram = Metric.histogram("test_seconds", MetricBoundaries.fromIterable([0.1, 1, 10]), "test")
      yield* Effect.forEach([0.05, 0.5, 0.7, 5, 50], (value) => Metric.update(histogram, value), { discard: true })
      const lines = (yield* prometheusText).split("\n").filter((line) => line.startsWith("test_seconds"))
      assert.deepStrictEqual(lines, [
        "test_seconds_bucket{le=\"0.1\"} 1",
        "test_seconds_bucket{le=\"1\"} 3",
        "test_seconds_bucket{le=\"10\"} 4",
        "test_seconds_bucket{le=\"+Inf\"} 5",
        "test_seconds_sum 56.25",
        "test_seconds_count 5"
      ])
    }))

  it.live("an Effect timer (milliseconds, time_unit) is served in seconds, _seconds appended, without the label", () =>
    Effect.gen(function*() {
      const timer = Metric.timerWithBoundaries("test_wait", [100, 1000], "test wait")
      yield* Effect.forEach([50, 250, 1500], (millis) => Metric.update(timer, Duration.millis(millis)), { discard: true })
      const lines = (yield* prometheusText).split("\n").filter((line) => line.includes("test_wait"))
      assert.deepStrictEqual(lines, [
        "# HELP test_wait_seconds test wait",
        "# TYPE test_wait_seconds histogram",
        "test_wait_seconds_bucket{le=\"0.1\"} 1",
        "test_wait_seconds_bucket{le=\"1\"} 2",
        "test_wait_seconds_bucket{le=\"+Inf\"} 3",
        "test_wait_seconds_sum 1.8",
        "test_wait_seconds_count 3"
      ])
    }))

  it.live("a counter that can go down (effect_fiber_active) is a gauge; an incremental one stays a counter", () =>
    Effect.gen(function*() {
      const family = (lines: ReadonlyArray<string>, name: string) =>
        lines.filter((line) => line.startsWith(`# TYPE ${name} `) || line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      const scrape = Effect.map(prometheusText, (text) => text.split("\n"))
      const active = Effect.map(scrape, (lines) => Number(family(lines, "effect_fiber_active")[1]?.split(" ")[1] ?? "0"))
      // Effect's own fiber metrics, recorded for fibers with runtime metrics on: two start, one ends.
      const withMetrics = RuntimeFlagsPatch.enable(RuntimeFlags.RuntimeMetrics)
      const before = yield* Effect.withRuntimeFlagsPatch(active, withMetrics)
      const fibers = yield* Effect.withRuntimeFlagsPatch(Effect.all([Effect.fork(Effect.never), Effect.fork(Effect.never)]), withMetrics)
      const started = yield* active
      yield* Fiber.interrupt(fibers[0])
      const level = Metric.counter("test_level")
      yield* Metric.incrementBy(level, 3)
      yield* Metric.incrementBy(level, -1)
      yield* Metric.increment(Metric.tagged(httpRequests, "status", "200"))
      const lines = yield* scrape
      yield* Fiber.interrupt(fibers[1])

      assert.deepStrictEqual(family(lines, "effect_fiber_active"), [
        "# TYPE effect_fiber_active gauge",
        `effect_fiber_active ${before + 1}`
      ])
      assert.strictEqual(started, before + 2)
      assert.strictEqual(family(lines, "effect_fiber_started_total")[0], "# TYPE effect_fiber_started_total counter")
      assert.deepStrictEqual(family(lines, "test_level"), ["# TYPE test_level gauge", "test_level 2"])
      assert.deepStrictEqual(family(lines, "http_server_requests_total"), [
        "# TYPE http_server_requests_total counter",
        "http_server_requests_total{status=\"200\"} 1"
      ])
    }))
  it.scopedLive(
    "the service's /metrics lists families and series in the same code point order under LC_ALL=tr_TR.UTF-8 as under C",
    () =>
      Effect.gen(function*() {
        const [c, turkish] = yield* Effect.all([scrapedUnder({ LC_ALL: "C" }), scrapedUnder({ LC_ALL: "tr_TR.UTF-8" })])
        assert.deepStrictEqual(turkish, c)
        // Was `_OTHER` first: ICU's order (any locale's) puts `_` before letters; code point order after `Z`.
        assert.deepStrictEqual(c.filter((line) => line.startsWith("http_server_requests_total{")), [
          `http_server_requests_total{method="DELETE",route="/v1/grants/:grant_id",status="401"}`,
          `http_server_requests_total{method="GET",route="/v1/syncs",status="200"}`,
          `http_server_requests_total{method="_OTHER",route="unmatched",status="400"}`
        ])
        const families = c.filter((line) => line.startsWith("# TYPE ")).map((line) => line.split(" ")[2]!)
        assert.deepStrictEqual(families, [...families].sort())
        assert.isAtLeast(families.length, 5)
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
