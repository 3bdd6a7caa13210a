import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, runCli } from "./support/CliProcess.js"
// connector-core's test collector: it keeps each OTLP request's path, headers and body.
import { otlpReceiver, type Received } from "../../../packages/connector-core/test/support/OtlpReceiver.js"
import { connectionFlags, sandboxLayer } from "./support/Sandboxes.js"

/**
 * `TRACEPARENT` (OpenTelemetry's variable for a process a traced one started: a workflow step, a
 * scheduler) makes a CLI sync's spans part of that trace, its `sync` span a child of the given span;
 * a malformed value is ignored, as a request's bad `traceparent` is.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-" }))

const TraceId = "4bf92f3577b34da6a3ce929d0e0e4736"
const ParentSpanId = "00f067aa0ba902b7"

interface ExportedSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly name: string
}

interface ExportedTraces {
  readonly resourceSpans: ReadonlyArray<{ readonly scopeSpans: ReadonlyArray<{ readonly spans: ReadonlyArray<ExportedSpan> }> }>
}

const spansOf = (received: ReadonlyArray<Received>) =>
  received
    .filter((request) => request.path === "/v1/traces")
    .flatMap((request) => (JSON.parse(request.body) as ExportedTraces).resourceSpans)
    .flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans))

const syncWithTraceparent = (traceparent: string) =>
  Effect.gen(function*() {
    const dir = yield* tempDir
    const { flags } = yield* connectionFlags
    const collector = yield* otlpReceiver(() => 200)
    const result = yield* runCli([...flags, "-f", `${dir}/out.c1z`], {
      env: {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/v1/traces`,
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
        TRACEPARENT: traceparent
      }
    })
    assertExit(result, 0)
    return spansOf(collector.received)
  })

describe("TRACEPARENT", () => {
  it.scopedLive("a valid one: every span of the sync is in its trace, the sync span a child of its span", () =>
    Effect.gen(function*() {
      const spans = yield* syncWithTraceparent(`00-${TraceId}-${ParentSpanId}-01`)
      const sync = spans.filter((span) => span.name === "sync")
      assert.deepStrictEqual(sync.map((span) => [span.traceId, span.parentSpanId]), [[TraceId, ParentSpanId]])
      assert.isAbove(spans.length, 5)
      assert.deepStrictEqual([...new Set(spans.map((span) => span.traceId))], [TraceId])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)), 60_000)

  it.scopedLive("a malformed one is ignored: the sync span starts a trace of its own", () =>
    Effect.gen(function*() {
      const spans = yield* syncWithTraceparent(`00-${TraceId}-not-a-span-id-01`)
      const sync = spans.filter((span) => span.name === "sync")
      assert.strictEqual(sync.length, 1)
      assert.notStrictEqual(sync[0]!.traceId, TraceId)
      assert.include(["", undefined], sync[0]!.parentSpanId)
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)), 60_000)
})
