import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Layer, Schedule } from "effect"
import { telemetryLayer } from "../src/telemetry/Telemetry.js"
import { exportClients } from "./support/ExportClients.js"
import { otlpReceiver, type Received } from "./support/OtlpReceiver.js"
import { collectWarnings } from "./support/Warnings.js"

/**
 * The real exporter (telemetryLayer over fetch) sending spans to a real receiver on a loopback port
 * that answers /v1/traces with the statuses a test gives and everything else with 200.
 */

/** Runs `program` with export to `url` on; the telemetry layer closes (and flushes) when it ends. */
const withExport = <A, E>(url: string, env: ReadonlyArray<readonly [string, string]>, program: Effect.Effect<A, E>) =>
  program.pipe(
    Effect.provide(telemetryLayer({ name: "test", version: "0" }).pipe(Layer.provide(exportClients))),
    Effect.withConfigProvider(ConfigProvider.fromMap(
      new Map([["OTEL_EXPORTER_OTLP_ENDPOINT", url], ["OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"], ...env])
    ))
  )

const traces = (received: ReadonlyArray<Received>) => received.filter((request) => request.path === "/v1/traces")

/** Waits (at most 15s) until `done` holds. */
const until = (done: () => boolean) =>
  Effect.void.pipe(
    Effect.repeat({ schedule: Schedule.spaced(Duration.millis(20)), until: done }),
    Effect.timeoutFail({ duration: Duration.seconds(15), onTimeout: () => new Error("waited 15s") })
  )

describe("an OTLP export the collector fails", () => {
  it.live("a 503 that the exporter's retry gets past is no warning, and the span arrives", () =>
    Effect.gen(function*() {
      const { url, received } = yield* otlpReceiver((path, before) => path === "/v1/traces" && before === 0 ? 503 : 200)
      const { layer, lines } = collectWarnings()
      // Sent 100ms on and retried a second later, while the program runs. The exporter sends one
      // export at a time, so a third request means the retry's answer was taken in; closing before
      // then (or in the 3 s flush at shutdown, which a loaded machine missed) would cut it off.
      const program = Effect.gen(function*() {
        yield* Effect.withSpan(Effect.void, "delivered-on-retry")
        yield* until(() => traces(received).length >= 2)
        yield* Effect.withSpan(Effect.void, "after-the-retry")
        yield* until(() => traces(received).length >= 3)
      })
      yield* withExport(url, [["OTEL_BSP_SCHEDULE_DELAY", "100"]], program).pipe(Effect.provide(layer))
      assert.deepStrictEqual(traces(received).map((request) => request.status), [503, 200, 200])
      assert.include(traces(received)[1]!.body, "delivered-on-retry")
      // Only the third export may be cut off at shutdown ("got no answer"): never a warning of the 503.
      assert.deepStrictEqual(lines.filter((line) => line.includes("503")), [])
    }).pipe(Effect.scoped), 20_000)

  it.live("a 503 on every try is one warning that the span is dropped, after the exporter's last try", () =>
    Effect.gen(function*() {
      const { url, received } = yield* otlpReceiver((path) => path === "/v1/traces" ? 503 : 200)
      const { layer, lines } = collectWarnings()
      const program = Effect.gen(function*() {
        yield* Effect.withSpan(Effect.void, "never-delivered")
        // Sent 100ms on, then tried again a second apart.
        yield* until(() => traces(received).length >= 3)
        assert.deepStrictEqual(lines, [], "a warning before the exporter's last try")
        yield* until(() => lines.length > 0)
      })
      yield* withExport(url, [["OTEL_BSP_SCHEDULE_DELAY", "100"]], program).pipe(Effect.provide(layer))
      assert.deepStrictEqual(traces(received).map((request) => request.status), [503, 503, 503, 503])
      assert.deepStrictEqual(lines, [
        `OpenTelemetry export to ${url}/v1/traces failed (HTTP 503); this telemetry is dropped, and exports to it ` +
        "pause for a minute. Check OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS and the collector."
      ])
    }).pipe(Effect.scoped), 20_000)

  it.live(
    "a flush at shutdown that the exporter stops retrying is one warning, when the telemetry layer closes",
    () =>
      Effect.gen(function*() {
        // Retry-After: 2 puts the third try after the exporter's 3s to flush at shutdown.
        const { url, received } = yield* otlpReceiver((path) => path === "/v1/traces" ? 429 : 200, { "retry-after": "2" })
        const { layer, lines } = collectWarnings()
        yield* withExport(url, [], Effect.withSpan(Effect.void, "cut-off-at-shutdown")).pipe(Effect.provide(layer))
        assert.deepStrictEqual(traces(received).map((request) => request.status), [429, 429])
        assert.deepStrictEqual(lines, [
          `OpenTelemetry export to ${url}/v1/traces failed (HTTP 429); this telemetry is dropped, as the exporter ` +
          "stopped before trying it again. Check OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS and the collector."
        ])
      }).pipe(Effect.scoped),
    20_000
  )
})
