import { assert, describe, it } from "@effect/vitest"
import { Effect, Metric, MetricBoundaries } from "effect"
import { prometheusText } from "../src/PrometheusText.js"

describe("Prometheus text", () => {
  it.effect("escapes label values and help text; names outside [a-zA-Z0-9_:] become _", () =>
    Effect.gen(function*() {
      const counter = Metric.counter("test_escapes-total", { description: "line one\nline two \\ end", incremental: true })
      yield* Metric.incrementBy(Metric.tagged(counter, "path", "a\"b\nc\\d"), 3)
      const lines = (yield* prometheusText).split("\n")
      assert.include(lines, "# HELP test_escapes_total line one\\nline two \\\\ end")
      assert.include(lines, "# TYPE test_escapes_total counter")
      assert.include(lines, "test_escapes_total{path=\"a\\\"b\\nc\\\\d\"} 3")
    }))

  it.effect("a histogram: cumulative buckets in order, +Inf, _sum and _count", () =>
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
})
