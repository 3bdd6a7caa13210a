import { assert, describe, it } from "@effect/vitest"
import { HttpClient, HttpClientError, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { Duration, Effect, Exit, Fiber, Logger, Option, Schedule, Scope, TestClock } from "effect"
import { wallSetBack } from "../../fivetran-client/test/support/WallClockSetBack.js"
import { warnOnFailedExports } from "../src/telemetry/ExportFailures.js"

/** What the general OTEL_EXPORTER_OTLP_ENDPOINT and _HEADERS configure, as OtlpSettings.ts names them. */
const generalVariables = { endpointVariable: "OTEL_EXPORTER_OTLP_ENDPOINT", headersVariable: "OTEL_EXPORTER_OTLP_HEADERS" }

/** A client that fails every request as fetch does, with `cause` as the error's cause; counts the tries. */
const failingWith = (cause: Error) => {
  const tries = { count: 0 }
  const client = HttpClient.make((request) =>
    Effect.suspend(() => {
      tries.count++
      return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause }))
    })
  )
  return { client, tries }
}

/** A collector answering each try with the next status of `statuses` (the last one again once they run out). */
const answering = (...statuses: ReadonlyArray<number>) => {
  const tries = { count: 0 }
  const client = HttpClient.make((request) =>
    Effect.sync(() => {
      const status = statuses[Math.min(tries.count++, statuses.length - 1)]!
      return HttpClientResponse.fromWeb(request, new Response(null, { status }))
    })
  )
  return { client, tries }
}

/** The client stack the exporter (@effect/opentelemetry 0.64) sends through, its retries without delay. */
const asTheExporterSends = (client: HttpClient.HttpClient) =>
  HttpClient.filterStatusOk(client).pipe(HttpClient.retryTransient({ times: 3 }))

const tenSeconds = Duration.seconds(10)

/** A logger keeping each message as a line. */
const collectLines = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ message }) => void lines.push((Array.isArray(message) ? message : [message]).join(" ")))
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

/** Posts one export through the wrapped client as the exporter does: the lines it logged and the error the exporter gets. */
const exportThrough = (client: HttpClient.HttpClient) =>
  Effect.gen(function*() {
    const { layer, lines } = collectLines()
    const error = yield* Effect.flatMap(warnOnFailedExports(client, tenSeconds, generalVariables), (wrapped) =>
      asTheExporterSends(wrapped).execute(HttpClientRequest.post("http://127.0.0.1:4318/v1/traces"))).pipe(
        Effect.flip,
        Effect.scoped,
        Effect.provide(layer)
      )
    return { lines, error }
  })

const warning = (reason: string) =>
  `OpenTelemetry export to http://127.0.0.1:4318/v1/traces failed (${reason}); this telemetry is dropped, and ` +
  "exports to it pause for a minute. Check OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS and the collector."

describe("a failed OTLP export's warning", () => {
  it.effect("names the failure by its error code, never by a message that quotes a header value", () =>
    Effect.gen(function*() {
      // What fetch says of OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20SECRET9%00.
      const { client, tries } = failingWith(new TypeError(`Headers.append: "Bearer SECRET9\u0000" is an invalid header value.`))
      const { error, lines } = yield* exportThrough(client)
      assert.strictEqual(tries.count, 4)
      assert.deepStrictEqual(lines, [warning("Transport error")])
      // The exporter logs the error it gets at debug level: it gets no cause either.
      assert.strictEqual(error.message, "Transport error (POST http://127.0.0.1:4318/v1/traces)")
      assert.isUndefined(error.cause)
    }))

  it.effect("a refused connection: its code, from the innermost cause, once the exporter's last try fails", () =>
    Effect.gen(function*() {
      const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4318"), { code: "ECONNREFUSED" })
      const { client, tries } = failingWith(new TypeError("fetch failed", { cause: refused }))
      const { error, lines } = yield* exportThrough(client)
      assert.strictEqual(tries.count, 4)
      assert.deepStrictEqual(lines, [warning("Transport error: ECONNREFUSED")])
      assert.strictEqual(error.message, "Transport: ECONNREFUSED (POST http://127.0.0.1:4318/v1/traces)")
    }))

  it.effect("one warning a minute per URL, timed by the monotonic clock: a clock set back an hour does not silence the next", () =>
    Effect.flatMap(TestClock.testClock(), (testClock) =>
      Effect.gen(function*() {
        const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4318"), { code: "ECONNREFUSED" })
        const { client } = failingWith(new TypeError("fetch failed", { cause: refused }))
        const { layer, lines } = collectLines()
        const back = { millis: 0 }
        const exportOnce = (wrapped: HttpClient.HttpClient) =>
          Effect.flip(asTheExporterSends(wrapped).execute(HttpClientRequest.post("http://127.0.0.1:4318/v1/traces")))
        yield* Effect.flatMap(warnOnFailedExports(client, tenSeconds, generalVariables), (wrapped) =>
          Effect.gen(function*() {
            yield* exportOnce(wrapped)
            yield* testClock.adjust(Duration.seconds(30))
            yield* exportOnce(wrapped)
            assert.strictEqual(lines.length, 1)
            back.millis = 3_600_000
            yield* testClock.adjust(Duration.seconds(31))
            yield* exportOnce(wrapped)
          })).pipe(
            Effect.scoped,
            Effect.provide(layer),
            Effect.withClock(wallSetBack(testClock, back))
          )
        // Was one: the minute since the first warning, read on the wall clock, was -59 minutes.
        assert.deepStrictEqual(lines, [warning("Transport error: ECONNREFUSED"), warning("Transport error: ECONNREFUSED")])
      })))

  it.effect("a failure a retry then mends is no warning: the telemetry arrived", () =>
    Effect.gen(function*() {
      const { client, tries } = answering(503, 502, 200)
      const { layer, lines } = collectLines()
      const answer = yield* Effect.flatMap(warnOnFailedExports(client, tenSeconds, generalVariables), (wrapped) =>
        asTheExporterSends(wrapped).execute(HttpClientRequest.post("http://127.0.0.1:4318/v1/traces"))).pipe(
          Effect.scoped,
          Effect.provide(layer)
        )
      assert.strictEqual(answer.status, 200)
      assert.strictEqual(tries.count, 3)
      assert.deepStrictEqual(lines, [])
    }))

  it.effect("a status the exporter does not retry is warned of at once; one it retries, after its last try", () =>
    Effect.gen(function*() {
      const unauthorized = answering(401)
      const refused = yield* exportThrough(unauthorized.client)
      assert.strictEqual(unauthorized.tries.count, 1)
      assert.deepStrictEqual(refused.lines, [warning("HTTP 401")])
      const unavailable = answering(503)
      const down = yield* exportThrough(unavailable.client)
      assert.strictEqual(unavailable.tries.count, 4)
      assert.deepStrictEqual(down.lines, [warning("HTTP 503")])
    }))

  it.effect("an export the exporter stops retrying (its shutdown) is warned of when the client's scope closes", () =>
    Effect.gen(function*() {
      const { client, tries } = answering(503)
      const { layer, lines } = collectLines()
      const scope = yield* Scope.make()
      const wrapped = yield* warnOnFailedExports(client, tenSeconds, generalVariables).pipe(Scope.extend(scope), Effect.provide(layer))
      // The exporter's own retries, a second apart.
      const exporting = yield* HttpClient.filterStatusOk(wrapped).pipe(
        HttpClient.retryTransient({ times: 3, schedule: Schedule.spaced(Duration.seconds(1)) })
      ).execute(HttpClientRequest.post("http://127.0.0.1:4318/v1/metrics")).pipe(Effect.provide(layer), Effect.fork)
      yield* TestClock.adjust(Duration.millis(1_500))
      assert.strictEqual(tries.count, 2)
      yield* Fiber.interrupt(exporting)
      assert.deepStrictEqual(lines, [])
      yield* Scope.close(scope, Exit.void)
      assert.deepStrictEqual(lines, [
        "OpenTelemetry export to http://127.0.0.1:4318/v1/metrics failed (HTTP 503); this telemetry is dropped, as " +
        "the exporter stopped before trying it again. Check OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS " +
        "and the collector."
      ])
    }))

  it.effect("an export stopped in its first try while the collector had not answered (the shutdown's last export) is warned of when the client's scope closes", () =>
    Effect.gen(function*() {
      const { layer, lines } = collectLines()
      const scope = yield* Scope.make()
      const wrapped = yield* warnOnFailedExports(HttpClient.make(() => Effect.never), tenSeconds, generalVariables).pipe(
        Scope.extend(scope),
        Effect.provide(layer)
      )
      const exporting = yield* asTheExporterSends(wrapped).execute(HttpClientRequest.post("http://127.0.0.1:4318/v1/logs")).pipe(
        Effect.provide(layer),
        Effect.fork
      )
      // The exporter's shutdown gives its last export 3 seconds, less than the request's timeout.
      yield* TestClock.adjust(Duration.seconds(3))
      yield* Fiber.interrupt(exporting)
      assert.deepStrictEqual(lines, [])
      yield* Scope.close(scope, Exit.void)
      assert.deepStrictEqual(lines, [
        "OpenTelemetry export to http://127.0.0.1:4318/v1/logs got no answer before the exporter stopped; this " +
        "telemetry is dropped. Check OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS and the collector."
      ])
    }))

  it.effect("an export stopped in its first try is no warning when a later export to its URL succeeded: the collector answers", () =>
    Effect.gen(function*() {
      const { layer, lines } = collectLines()
      const scope = yield* Scope.make()
      const slowOnce = { count: 0 }
      const collector = HttpClient.make((request) =>
        slowOnce.count++ === 0
          ? Effect.never
          : Effect.succeed(HttpClientResponse.fromWeb(request, new Response(null, { status: 200 })))
      )
      const wrapped = asTheExporterSends(
        yield* warnOnFailedExports(collector, tenSeconds, generalVariables).pipe(Scope.extend(scope), Effect.provide(layer))
      )
      const url = "http://127.0.0.1:4318/v1/metrics"
      const periodic = yield* wrapped.execute(HttpClientRequest.post(url)).pipe(Effect.provide(layer), Effect.fork)
      yield* TestClock.adjust(Duration.seconds(1))
      yield* Fiber.interrupt(periodic)
      const last = yield* wrapped.execute(HttpClientRequest.post(url)).pipe(Effect.provide(layer))
      assert.strictEqual(last.status, 200)
      yield* Scope.close(scope, Exit.void)
      assert.strictEqual(slowOnce.count, 2)
      assert.deepStrictEqual(lines, [])
    }))

  it.effect("a collector that never answers: each try fails after the timeout, with a warning once the last one did", () =>
    Effect.gen(function*() {
      const { layer, lines } = collectLines()
      const silent = HttpClient.make(() => Effect.never)
      const exported = yield* Effect.flatMap(
        warnOnFailedExports(silent, tenSeconds, generalVariables),
        (wrapped) => asTheExporterSends(wrapped).execute(HttpClientRequest.post("http://127.0.0.1:4318/v1/metrics"))
      ).pipe(
        Effect.flip,
        Effect.scoped,
        Effect.provide(layer),
        Effect.fork
      )
      yield* TestClock.adjust(Duration.millis(9_999))
      assert.isTrue(Option.isNone(yield* Fiber.poll(exported)))
      yield* TestClock.adjust(Duration.millis(1))
      // The first try timed out; the exporter tries again.
      assert.isTrue(Option.isNone(yield* Fiber.poll(exported)))
      assert.deepStrictEqual(lines, [])
      yield* TestClock.adjust(Duration.seconds(30))
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
