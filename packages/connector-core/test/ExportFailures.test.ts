import { assert, describe, it } from "@effect/vitest"
import { HttpClient, HttpClientError, HttpClientRequest } from "@effect/platform"
import { Duration, Effect, Fiber, Logger, Option, TestClock } from "effect"
import { warnOnFailedExports } from "../src/telemetry/ExportFailures.js"

/** A client that fails every request as fetch does, with `cause` as the error's cause. */
const failingWith = (cause: Error) =>
  HttpClient.make((request) => Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause })))

const tenSeconds = Duration.seconds(10)

/** A logger keeping each message as a line. */
const collectLines = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ message }) => void lines.push((Array.isArray(message) ? message : [message]).join(" ")))
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

/** Posts one export through the wrapped client: the lines it logged and the error the exporter gets. */
const exportThrough = (cause: Error) =>
  Effect.gen(function*() {
    const { layer, lines } = collectLines()
    const error = yield* warnOnFailedExports(failingWith(cause), tenSeconds).execute(
      HttpClientRequest.post("http://127.0.0.1:4318/v1/traces")
    ).pipe(Effect.flip, Effect.provide(layer))
    return { lines, error }
  })

const warning = (reason: string) =>
  `OpenTelemetry export to http://127.0.0.1:4318/v1/traces failed (${reason}); this telemetry is dropped, and ` +
  "exports to it pause for a minute. Check OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS and the collector."

describe("a failed OTLP export's warning", () => {
  it.effect("names the failure by its error code, never by a message that quotes a header value", () =>
    Effect.gen(function*() {
      // What fetch says of OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20SECRET9%00.
      const { error, lines } = yield* exportThrough(new TypeError(`Headers.append: "Bearer SECRET9\u0000" is an invalid header value.`))
      assert.deepStrictEqual(lines, [warning("Transport error")])
      // The exporter logs the error it gets at debug level: it gets no cause either.
      assert.strictEqual(error.message, "Transport error (POST http://127.0.0.1:4318/v1/traces)")
      assert.isUndefined(error.cause)
    }))

  it.effect("a refused connection: its code, from the innermost cause", () =>
    Effect.gen(function*() {
      const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4318"), { code: "ECONNREFUSED" })
      const { error, lines } = yield* exportThrough(new TypeError("fetch failed", { cause: refused }))
      assert.deepStrictEqual(lines, [warning("Transport error: ECONNREFUSED")])
      assert.strictEqual(error.message, "Transport: ECONNREFUSED (POST http://127.0.0.1:4318/v1/traces)")
    }))

  it.effect("a collector that never answers: the request fails after the timeout, with a warning saying so", () =>
    Effect.gen(function*() {
      const { layer, lines } = collectLines()
      const silent = HttpClient.make(() => Effect.never)
      const exported = yield* warnOnFailedExports(silent, tenSeconds).execute(
        HttpClientRequest.post("http://127.0.0.1:4318/v1/metrics")
      ).pipe(Effect.flip, Effect.provide(layer), Effect.fork)
      yield* TestClock.adjust(Duration.millis(9_999))
      assert.isTrue(Option.isNone(yield* Fiber.poll(exported)))
      assert.deepStrictEqual(lines, [])
      yield* TestClock.adjust(Duration.millis(1))
      assert.isTrue(Option.isSome(yield* Fiber.poll(exported)), "still waiting for the collector")
      const error = yield* Fiber.join(exported)
      assert.deepStrictEqual(lines, [
        "OpenTelemetry export to http://127.0.0.1:4318/v1/metrics failed (no answer within 10s); this telemetry is " +
        "dropped, and exports to it pause for a minute. Check OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS " +
        "and the collector."
      ])
      // A transport error: the exporter retries it as it retries a refused connection.
      assert.strictEqual(error._tag, "RequestError")
      assert.strictEqual(error.message, "Transport: no answer within 10s (POST http://127.0.0.1:4318/v1/metrics)")
    }))
})
