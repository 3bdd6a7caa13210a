import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, FiberRef, Layer, Metric } from "effect"
import { telemetryLayer } from "../src/telemetry/Telemetry.js"
import { exportClients } from "./support/ExportClients.js"
import { otlpReceiver, type Received } from "./support/OtlpReceiver.js"
import { collectWarnings } from "./support/Warnings.js"

/**
 * The per-signal variables (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, ..._METRICS_HEADERS, ...) with the
 * real exporter (telemetryLayer over fetch) and a real receiver on a loopback port.
 */

/** Runs `program` with these variables (JSON bodies, to read them); the telemetry layer closes (and flushes) when it ends. */
const withExport = <A, E>(env: ReadonlyArray<readonly [string, string]>, program: Effect.Effect<A, E>) =>
  program.pipe(
    Effect.provide(telemetryLayer({ name: "test", version: "0" }).pipe(Layer.provide(exportClients))),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"], ...env])))
  )

const exported = Metric.counter("per_signal_export_test_total")

/** A span, a log line and a metric, each named so its body can be told apart; whether tracing was on. */
const allSignals = Effect.gen(function*() {
  yield* Effect.withSpan(Effect.void, "per-signal-span")
  yield* Effect.logInfo("per-signal-log-line")
  yield* Metric.increment(exported)
  return yield* FiberRef.get(FiberRef.currentTracerEnabled)
})

const to = (received: ReadonlyArray<Received>, path: string) => {
  const found = received.filter((request) => request.path === path)
  assert.strictEqual(found.length, 1, `requests to ${path}: ${received.map((request) => request.path).join(", ")}`)
  return found[0]!
}

const paths = (received: ReadonlyArray<Received>) => received.map((request) => request.path).sort()

describe("per-signal OTLP endpoints, headers and protocols", () => {
  it.live("traces go to their own URL as given, metrics and logs to the general base URL's paths", () =>
    Effect.gen(function*() {
      const { received, url } = yield* otlpReceiver(() => 200)
      const tracing = yield* withExport([
        ["OTEL_EXPORTER_OTLP_ENDPOINT", url],
        ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", `${url}/custom/traces`]
      ], allSignals)
      assert.isTrue(tracing)
      assert.deepStrictEqual(paths(received), ["/custom/traces", "/v1/logs", "/v1/metrics"])
      assert.include(to(received, "/custom/traces").body, "\"name\":\"per-signal-span\"")
      assert.include(to(received, "/v1/metrics").body, "\"name\":\"per_signal_export_test_total\"")
      assert.include(to(received, "/v1/logs").body, "\"stringValue\":\"per-signal-log-line\"")
    }).pipe(Effect.scoped), 20_000)

  it.live("only a metrics endpoint: metrics are exported, no spans or log records are sent, tracing is off", () =>
    Effect.gen(function*() {
      const { received, url } = yield* otlpReceiver(() => 200)
      const tracing = yield* withExport([["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", `${url}/only/metrics`]], allSignals)
      assert.isFalse(tracing)
      assert.deepStrictEqual(paths(received), ["/only/metrics"])
      assert.include(to(received, "/only/metrics").body, "\"name\":\"per_signal_export_test_total\"")
    }).pipe(Effect.scoped), 20_000)

  it.live("a signal's own headers reach that signal alone, in place of the general ones", () =>
    Effect.gen(function*() {
      const { received, url } = yield* otlpReceiver(() => 200)
      yield* withExport([
        ["OTEL_EXPORTER_OTLP_ENDPOINT", url],
        ["OTEL_EXPORTER_OTLP_HEADERS", "x-general=general-token"],
        ["OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-traces=traces-token"]
      ], allSignals)
      assert.deepStrictEqual(paths(received), ["/v1/logs", "/v1/metrics", "/v1/traces"])
      const headers = (path: string) => {
        const { "x-general": general, "x-traces": traces } = to(received, path).headers
        return { general, traces }
      }
      assert.deepStrictEqual(headers("/v1/traces"), { general: undefined, traces: "traces-token" })
      assert.deepStrictEqual(headers("/v1/metrics"), { general: "general-token", traces: undefined })
      assert.deepStrictEqual(headers("/v1/logs"), { general: "general-token", traces: undefined })
    }).pipe(Effect.scoped), 20_000)

  it.live("a failed export to a signal's own URL is warned of naming that URL and its signal's variables", () =>
    Effect.gen(function*() {
      const { received, url } = yield* otlpReceiver((path) => path === "/custom/traces" ? 401 : 200)
      const { layer, lines } = collectWarnings()
      yield* withExport([
        ["OTEL_EXPORTER_OTLP_ENDPOINT", url],
        ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", `${url}/custom/traces`]
      ], allSignals).pipe(Effect.provide(layer))
      assert.deepStrictEqual(received.map((request) => [request.path, request.status]).sort(), [
        ["/custom/traces", 401],
        ["/v1/logs", 200],
        ["/v1/metrics", 200]
      ])
      assert.deepStrictEqual(lines, [
        `OpenTelemetry export to ${url}/custom/traces failed (HTTP 401); this telemetry is dropped, and exports to ` +
        "it pause for a minute. Check OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_HEADERS and the " +
        "collector."
      ])
    }).pipe(Effect.scoped), 20_000)

  it.live("a signal's own protocol encodes that signal alone; the others keep the general one", () =>
    Effect.gen(function*() {
      const { received, url } = yield* otlpReceiver(() => 200)
      yield* withExport([
        ["OTEL_EXPORTER_OTLP_ENDPOINT", url],
        ["OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/protobuf"]
      ], allSignals)
      assert.deepStrictEqual(
        received.map((request) => [request.path, request.headers["content-type"]]).sort(),
        [
          ["/v1/logs", "application/json"],
          ["/v1/metrics", "application/x-protobuf"],
          ["/v1/traces", "application/json"]
        ]
      )
      assert.include(to(received, "/v1/traces").body, "\"name\":\"per-signal-span\"")
    }).pipe(Effect.scoped), 20_000)
})
