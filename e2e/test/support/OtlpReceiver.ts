import { Effect, Schedule } from "effect"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"

/**
 * A tiny OTLP/HTTP collector on 127.0.0.1:0 for one test: it keeps every JSON body POSTed to
 * /v1/traces, /v1/metrics and /v1/logs and answers 200 `{}`, as a collector does.
 */

export interface OtlpAttribute {
  readonly key: string
  readonly value: {
    readonly stringValue?: string
    readonly intValue?: string | number
    readonly boolValue?: boolean
    readonly doubleValue?: number
  }
}

export interface OtlpSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly name: string
  readonly kind: number
  readonly attributes: ReadonlyArray<OtlpAttribute>
  readonly status: { readonly code?: number; readonly message?: string }
  readonly events: ReadonlyArray<{ readonly name: string; readonly attributes: ReadonlyArray<OtlpAttribute> }>
}

export interface OtlpLogRecord {
  readonly severityText: string
  readonly body: { readonly stringValue?: string }
  readonly attributes: ReadonlyArray<OtlpAttribute>
}

export interface OtlpDataPoint {
  readonly attributes: ReadonlyArray<OtlpAttribute>
  readonly asDouble?: number
  readonly asInt?: string | number
  readonly count?: string | number
}

export interface OtlpMetric {
  readonly name: string
  readonly sum?: { readonly dataPoints: ReadonlyArray<OtlpDataPoint> }
  readonly gauge?: { readonly dataPoints: ReadonlyArray<OtlpDataPoint> }
  readonly histogram?: { readonly dataPoints: ReadonlyArray<OtlpDataPoint> }
}

/** The OTLP/HTTP JSON envelopes, as far as the tests read them. */
interface TracesBody {
  readonly resourceSpans: ReadonlyArray<{
    readonly resource: { readonly attributes: ReadonlyArray<OtlpAttribute> }
    readonly scopeSpans: ReadonlyArray<{ readonly spans: ReadonlyArray<OtlpSpan> }>
  }>
}

interface MetricsBody {
  readonly resourceMetrics: ReadonlyArray<{
    readonly scopeMetrics: ReadonlyArray<{ readonly metrics: ReadonlyArray<OtlpMetric> }>
  }>
}

interface LogsBody {
  readonly resourceLogs: ReadonlyArray<{
    readonly scopeLogs: ReadonlyArray<{ readonly logRecords: ReadonlyArray<OtlpLogRecord> }>
  }>
}

interface Received {
  readonly path: string
  readonly contentType: string
  readonly body: string
}

/** An attribute's value as a plain JS value. */
export const attributeValue = (attribute: OtlpAttribute): string | number | boolean | undefined => {
  const v = attribute.value
  if (v.stringValue !== undefined) return v.stringValue
  if (v.intValue !== undefined) return Number(v.intValue)
  if (v.doubleValue !== undefined) return v.doubleValue
  return v.boolValue
}

export const attributesOf = (attributes: ReadonlyArray<OtlpAttribute>): Record<string, unknown> =>
  Object.fromEntries(attributes.map((a) => [a.key, attributeValue(a)]))

export const makeOtlpReceiver = Effect.gen(function*() {
  const received: Array<Received> = []
  const server = yield* Effect.acquireRelease(
    Effect.async<Server>((resume) => {
      const server = createServer((request, response) => {
        let body = ""
        request.setEncoding("utf8")
        request.on("data", (chunk: string) => body += chunk)
        request.on("end", () => {
          received.push({ path: request.url ?? "", contentType: request.headers["content-type"] ?? "", body })
          response.writeHead(200, { "content-type": "application/json" })
          response.end("{}")
        })
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
      })
  )
  const port = (server.address() as AddressInfo).port
  const bodies = <A>(path: string) => received.filter((r) => r.path === path).map((r) => JSON.parse(r.body) as A)

  const spans = (): ReadonlyArray<OtlpSpan> =>
    bodies<TracesBody>("/v1/traces").flatMap((body) => body.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)))
  const resources = (): ReadonlyArray<Record<string, unknown>> =>
    bodies<TracesBody>("/v1/traces").flatMap((body) => body.resourceSpans.map((rs) => attributesOf(rs.resource.attributes)))
  /** Every export of a metric, oldest first (each export carries the cumulative values). */
  const metrics = (name: string): ReadonlyArray<OtlpMetric> =>
    bodies<MetricsBody>("/v1/metrics").flatMap((body) =>
      body.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics.filter((m) => m.name === name)))
    )
  const logRecords = (): ReadonlyArray<OtlpLogRecord> =>
    bodies<LogsBody>("/v1/logs").flatMap((body) => body.resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords)))
  /** Every log record, as its level, its message and its attributes. */
  const logs = () =>
    logRecords().map((record) => ({
      level: record.severityText,
      message: attributeValue({ key: "body", value: record.body }),
      attributes: attributesOf(record.attributes)
    }))
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received: () => received as ReadonlyArray<Received>,
    spans,
    resources,
    metrics,
    logRecords,
    logs,
    /** Waits (polling, generously) until `ready` holds for what has been received. */
    until: (ready: () => boolean) =>
      Effect.suspend(() => ready() ? Effect.void : Effect.fail("not yet")).pipe(
        Effect.retry(Schedule.spaced("100 millis").pipe(Schedule.upTo("60 seconds"))),
        Effect.orDie
      )
  }
})
