import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Metric, MetricLabel, TestClock, Tracer } from "effect"
import { fivetranRequests } from "../src/FivetranMetrics.js"
import * as Examples from "./fixtures/ApiExamples.js"
import { json, startServer } from "./support/ScriptedServer.js"
import { awaitRetrySleep, clientFor, tallied } from "./support/TestClient.js"

/** Effect's own tracer, with every span it makes kept for the test to read. */
const recordingTracer = Effect.map(Effect.tracer, (native) => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (...args) => {
      const span = native.span(...args)
      spans.push(span)
      return span
    },
    context: native.context
  })
  return { tracer, spans }
})

const userRequests = Effect.map(
  Metric.value(Metric.taggedWithLabels(fivetranRequests, [
    MetricLabel.make("method", "GET"),
    MetricLabel.make("route", "/v1/users/{id}"),
    MetricLabel.make("status", "200")
  ])),
  (state) => state.count
)

describe("spans", () => {
  it.scoped("one client span per call while tracing is on, with the last attempt's status and the retries; none while it is off", () =>
    Effect.gen(function*() {
      const script = [json(500, { code: "InternalError" }), json(200, Examples.User_2_2), json(200, Examples.User_2_2)]
      const server = yield* startServer((_, index) => script[index]!)
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600 })
      const { spans, tracer } = yield* recordingTracer
      const countedBefore = yield* userRequests

      const calls = Effect.gen(function*() {
        const traced = yield* Effect.fork(client.getUser("quiet_harbor").pipe(Effect.withTracer(tracer)))
        yield* TestClock.adjust(yield* awaitRetrySleep(10_000))
        yield* Fiber.join(traced)
        // The apps turn tracing off when nothing exports spans (telemetryLayer).
        yield* client.getUser("quiet_harbor").pipe(Effect.withTracer(tracer), Effect.withTracerEnabled(false))
      })
      const { counts } = yield* tallied(calls)

      assert.deepStrictEqual(
        spans.map((span) => [span.name, span.kind, Object.fromEntries(span.attributes), span.status._tag]),
        [[
          "Fivetran GET /v1/users/{id}",
          "client",
          {
            "http.request.method": "GET",
            "url.template": "/v1/users/{id}",
            "http.response.status_code": 200,
            "fivetran.retries": 1
          },
          "Ended"
        ]]
      )
      // Both calls are counted, traced or not.
      assert.strictEqual((yield* userRequests) - countedBefore, 2)
      assert.strictEqual(counts.requests, 3)
    }))
})
