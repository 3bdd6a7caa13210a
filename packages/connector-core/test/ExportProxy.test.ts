import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Layer, Metric, Schedule } from "effect"
import { telemetryLayer } from "../src/telemetry/Telemetry.js"
// The client package's test proxy: one CONNECT proxy for the client's and the exporter's tests.
import { startConnectProxy } from "../../fivetran-client/test/support/ConnectProxy.js"
import { exportClients } from "./support/ExportClients.js"
import { otlpReceiver, type Received } from "./support/OtlpReceiver.js"
import { collectWarnings } from "./support/Warnings.js"

/**
 * OTLP exports behind an egress proxy (HTTP_PROXY, NO_PROXY): the real exporter, a real CONNECT
 * proxy and a real receiver, each on a loopback port. The collector is named by a host no resolver
 * knows, which only the proxy can reach (it tunnels every target to the receiver), as a collector
 * outside the cluster is: loopback hosts always go direct.
 */

const collectorHost = "collector.proxy-test"

/** Runs `program` with these variables (JSON bodies, to read them); the telemetry layer closes (and flushes) when it ends. */
const withExport = <A, E>(env: ReadonlyArray<readonly [string, string]>, program: Effect.Effect<A, E>) =>
  program.pipe(
    Effect.provide(telemetryLayer({ name: "test", version: "0" }).pipe(Layer.provide(exportClients))),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"], ...env])))
  )

const exported = Metric.counter("export_proxy_test_total")

/** A span, a log line and a metric, each named so its body can be told apart. */
const allSignals = Effect.gen(function*() {
  yield* Effect.withSpan(Effect.void, "proxied-span")
  yield* Effect.logInfo("proxied-log-line")
  yield* Metric.increment(exported)
})

const paths = (received: ReadonlyArray<Received>) => received.map((request) => request.path).sort()

describe("OTLP export behind an egress proxy", () => {
  it.live(
    "with HTTP_PROXY, every signal reaches the collector through the proxy, its credentials sent to the proxy alone",
    () =>
      Effect.gen(function*() {
        const receiver = yield* otlpReceiver(() => 200)
        const port = Number(new URL(receiver.url).port)
        const proxy = yield* startConnectProxy(() => ({ host: "127.0.0.1", port }))
        const { layer, lines } = collectWarnings()
        yield* withExport([
          ["OTEL_EXPORTER_OTLP_ENDPOINT", `http://${collectorHost}:${port}`],
          ["HTTP_PROXY", proxy.url.replace("http://", "http://egress:PROXYSECRET1@")]
        ], allSignals).pipe(Effect.provide(layer))
        assert.deepStrictEqual(paths(receiver.received), ["/v1/logs", "/v1/metrics", "/v1/traces"])
        assert.include(receiver.received.find((request) => request.path === "/v1/traces")?.body, "\"name\":\"proxied-span\"")
        assert.deepStrictEqual(
          [...new Set(proxy.tunnels.map((tunnel) => `${tunnel.target} ${tunnel.authorization}`))],
          [`${collectorHost}:${port} Basic ${Buffer.from("egress:PROXYSECRET1").toString("base64")}`]
        )
        assert.deepStrictEqual(receiver.received.map((request) => request.headers["proxy-authorization"]), [
          undefined,
          undefined,
          undefined
        ])
        assert.deepStrictEqual(receiver.received.map((request) => request.headers["host"]), Array(3).fill(`${collectorHost}:${port}`))
        assert.notInclude(JSON.stringify(receiver.received), "PROXYSECRET1")
        assert.deepStrictEqual(lines, [])
      }).pipe(Effect.scoped),
    20_000
  )

  it.live("each signal takes its own endpoint's route: a NO_PROXY host and a loopback one go direct", () =>
    Effect.gen(function*() {
      const receiver = yield* otlpReceiver(() => 200)
      const port = Number(new URL(receiver.url).port)
      const proxy = yield* startConnectProxy(() => ({ host: "127.0.0.1", port }))
      const { layer, lines } = collectWarnings()
      yield* withExport([
        ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", `http://${collectorHost}:${port}/proxied/traces`],
        // 0.0.0.0 is not loopback by name, so the proxy would apply, yet a connection to it reaches this host.
        ["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", `http://0.0.0.0:${port}/direct/metrics`],
        ["OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", `http://127.0.0.1:${port}/loopback/logs`],
        ["HTTP_PROXY", proxy.url],
        ["NO_PROXY", "internal.corp,0.0.0.0"]
      ], allSignals).pipe(Effect.provide(layer))
      assert.deepStrictEqual(paths(receiver.received), ["/direct/metrics", "/loopback/logs", "/proxied/traces"])
      assert.deepStrictEqual([...new Set(proxy.tunnels.map((tunnel) => tunnel.target))], [`${collectorHost}:${port}`])
      assert.deepStrictEqual(lines, [])
    }).pipe(Effect.scoped), 20_000)

  it.live(
    "a proxy that refuses the tunnel (407) is named in the export's warning, with the proxy variable as set (lower case here), its credentials in no line",
    () =>
      Effect.gen(function*() {
        const receiver = yield* otlpReceiver(() => 200)
        const port = Number(new URL(receiver.url).port)
        const proxy = yield* startConnectProxy(() => ({ host: "127.0.0.1", port }), () => 407)
        const { layer, lines } = collectWarnings()
        // Runs until the exporter gives the export up (its fourth try, a second apart), so that the
        // warning is the one for a last try, not the one for a retry cut off at shutdown.
        const waitForWarning = Effect.void.pipe(
          Effect.repeat({ schedule: Schedule.spaced(Duration.millis(20)), until: () => lines.length > 0 }),
          Effect.timeoutFail({ duration: Duration.seconds(15), onTimeout: () => new Error("waited 15s") })
        )
        yield* withExport([
          ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", `http://${collectorHost}:${port}/v1/traces`],
          ["OTEL_BSP_SCHEDULE_DELAY", "100"],
          ["http_proxy", proxy.url.replace("http://", "http://egress:PROXYSECRET2@")]
        ], Effect.zipRight(Effect.withSpan(Effect.void, "refused-span"), waitForWarning)).pipe(Effect.provide(layer))
        assert.deepStrictEqual(lines, [
          `OpenTelemetry export to http://${collectorHost}:${port}/v1/traces failed (Transport error: the proxy answered ` +
          "407 to the tunnel: it wants credentials, or refused the ones in the proxy URL); this telemetry is dropped, " +
          "and exports to it pause for a minute. Check OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, " +
          "OTEL_EXPORTER_OTLP_TRACES_HEADERS, http_proxy and the collector."
        ])
        assert.deepStrictEqual(proxy.tunnels.map((tunnel) => tunnel.target), Array(4).fill(`${collectorHost}:${port}`))
        assert.deepStrictEqual(receiver.received, [])
      }).pipe(Effect.scoped),
    20_000
  )
})
