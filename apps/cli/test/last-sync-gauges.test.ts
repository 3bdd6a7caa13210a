import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, jsonLines, runCli } from "./support/CliProcess.js"
// connector-core's test collector: it keeps each OTLP request's path, headers and body.
import { otlpReceiver, type Received } from "../../../packages/connector-core/test/support/OtlpReceiver.js"
import { connectionFlags, sandboxLayer } from "./support/Sandboxes.js"

/**
 * The last-sync gauges a CronJob's runs export over OTLP (docs/deploy.md): a failed run sets
 * `baton_last_failed_sync_timestamp_seconds` to its sync's end and leaves the last success unsaid,
 * so that `last failed > last successful` holds until a run succeeds; a successful run sets its
 * success and exports the failure at 0.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-" }))

interface ExportedMetrics {
  readonly resourceMetrics: ReadonlyArray<{
    readonly scopeMetrics: ReadonlyArray<{
      readonly metrics: ReadonlyArray<{
        readonly name: string
        readonly unit?: string
        readonly gauge?: { readonly dataPoints: ReadonlyArray<{ readonly asDouble?: number; readonly asInt?: number }> }
        readonly histogram?: { readonly dataPoints: ReadonlyArray<Readonly<Record<string, unknown>>> }
      }>
    }>
  }>
}

/** Every metric of the run's metrics exports. */
const exportedMetrics = (received: ReadonlyArray<Received>) =>
  received
    .filter((request) => request.path === "/v1/metrics")
    .flatMap((request) => (JSON.parse(request.body) as ExportedMetrics).resourceMetrics)
    .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics))

/** The `baton_last_*` gauges of the run's metrics export, by name. */
const lastSyncGauges = (received: ReadonlyArray<Received>) =>
  Object.fromEntries(
    exportedMetrics(received)
      .filter((metric) => metric.name.startsWith("baton_last_"))
      .map((metric) => {
        const point = metric.gauge!.dataPoints[0]!
        return [metric.name, Number(point.asDouble ?? point.asInt)] as const
      })
  )

const otlpEnv = (url: string) => ({
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${url}/v1/metrics`,
  OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "http/json",
  BATON_LOG_FORMAT: "json"
})

describe("the last-sync gauges over OTLP", () => {
  it.scopedLive(
    "a failed run exports its failure's time alone; a successful one its success's, the failure at 0",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const { flags } = yield* connectionFlags
        const refusedFlags = flags.map((flag, index) => flags[index - 1] === "--api-secret" ? "not-the-secret" : flag)

        const failing = yield* otlpReceiver(() => 200)
        const startedAt = Date.now() / 1000
        const failed = yield* runCli([...refusedFlags, "-f", `${dir}/out.c1z`], { env: otlpEnv(failing.url) })
        assertExit(failed, 1)
        const failure = jsonLines(failed.stderr).find((line) => line["exit_code"] === 1)!
        assert.strictEqual(failure["reason"], "unauthorized")
        const failedGauges = lastSyncGauges(failing.received)
        // The sync's duration, in seconds: its outcomes that recorded nothing (counted from 0) say no
        // min or max (they were 1.8e308 and 5e-324), the failed one both.
        const durations = exportedMetrics(failing.received).filter((metric) => metric.name === "baton_sync_duration_seconds")
        assert.isAbove(durations.length, 0)
        for (const metric of durations) {
          assert.strictEqual(metric.unit, "s")
          for (const point of metric.histogram!.dataPoints) {
            assert.deepStrictEqual(
              ["min" in point, "max" in point],
              Number(point["count"]) === 0 ? [false, false] : [true, true],
              JSON.stringify(point)
            )
          }
        }
        assert.isTrue(durations.some((metric) => metric.histogram!.dataPoints.some((point) => Number(point["count"]) === 0)))
        assert.deepStrictEqual(Object.keys(failedGauges), ["baton_last_failed_sync_timestamp_seconds"])
        const failedAt = failedGauges["baton_last_failed_sync_timestamp_seconds"]!
        // Set as the sync ended: after the run started, before its failure was logged.
        assert.isTrue(failedAt >= startedAt && failedAt <= Number(failure["ts"]), `${failedAt} within the run`)

        const succeeding = yield* otlpReceiver(() => 200)
        const succeeded = yield* runCli([...flags, "-f", `${dir}/out.c1z`], { env: otlpEnv(succeeding.url) })
        assertExit(succeeded, 0)
        const succeededGauges = lastSyncGauges(succeeding.received)
        assert.deepStrictEqual(Object.keys(succeededGauges).sort(), [
          "baton_last_failed_sync_timestamp_seconds",
          "baton_last_successful_sync_timestamp_seconds"
        ])
        assert.strictEqual(succeededGauges["baton_last_failed_sync_timestamp_seconds"], 0)
        assert.isAbove(succeededGauges["baton_last_successful_sync_timestamp_seconds"]!, failedAt)
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    60_000
  )
})
