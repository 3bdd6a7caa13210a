import { withoutEmails } from "@baton-fivetran/fivetran-client"
import { OtlpSerialization } from "@effect/opentelemetry/OtlpSerialization"
import { Effect, Layer, Predicate } from "effect"

/**
 * What the OTLP exporter (@effect/opentelemetry 0.64) sends, corrected before it is encoded. The
 * OTLP shapes (spans, log records, their attribute lists) are the library's; anything else passes
 * through untouched.
 *
 * - A failed span is labelled `span.label: "⚠︎ Interrupted"`, `status.interrupted: true` (the
 *   library swaps its two cases), so a 403 or an unknown entitlement read as a cancellation. Those
 *   labels go; the span keeps its Error status with the error's message, and gains `error.type`, the
 *   error's tag (OpenTelemetry's attribute for the kind of failure).
 * - An interrupted span has status Ok with "All fibers interrupted without errors." as its
 *   message. It becomes Unset with `status.interrupted: true`: a cancelled sync did not succeed.
 * - Stack frames leave no more: `code.stacktrace` and the exception's `exception.stacktrace` point
 *   into the minified bundle, at the path it was built in, and say nothing a reader can use; a log
 *   record's `log.error` and a span's log event's `effect.cause` keep their error lines without
 *   their frames.
 * - A fiber's id (`#61`: a log record's `fiberId`, a log event's `effect.fiberId`) names a fiber of
 *   one process's run, nothing to search by.
 * - A server span's header attributes (`http.request.header.<name>`, `http.response.header.<name>`)
 *   keep their value only for a header that carries no credential (SafeHeaders); any other's is
 *   `<redacted>`. The platform redacts only Authorization, Cookie, Set-Cookie and X-Api-Key, so a
 *   caller's Proxy-Authorization or X-Auth-Token reached the trace backend as sent.
 * - An email address anywhere in a span or a log record is `<email>` (LoggedEmails.ts): an error's
 *   message echoes the one the caller sent (an invitation's, one given where an id belongs), and
 *   `url.full` and `url.path` hold a path as sent. The caller's answer keeps it; the trace backend,
 *   kept longer and read by more people, gets the ids the same messages name.
 * - A histogram's point that recorded nothing (the outcomes counted from 0, so that alerts see their
 *   first) had `min` 1.8e308 and `max` 5e-324, which OTLP says to leave out when nothing was
 *   recorded: a backend showed them. They go.
 * - A metric's unit is UCUM's, from the name that ends in it: `s` for `*_seconds` (sent as `1`),
 *   `ms` for the library's `milliseconds`.
 */

type Fields = Readonly<Record<string, unknown>>

/** OTLP's span status codes. */
const Unset = 0
const Ok = 1
const SpanError = 2

/** `record[key]` with each record in it mapped by `f`, when it is a list. */
const mapList = (record: Fields, key: string, f: (item: Fields) => Fields): Fields => {
  const list = record[key]
  return Array.isArray(list) ? { ...record, [key]: list.map((item: unknown) => Predicate.isRecord(item) ? f(item) : item) } : record
}

const keyOf = (attribute: unknown) => Predicate.isRecord(attribute) && typeof attribute.key === "string" ? attribute.key : undefined

const mapAttributes = (record: Fields, f: (attributes: ReadonlyArray<unknown>) => ReadonlyArray<unknown>): Fields =>
  Array.isArray(record.attributes) ? { ...record, attributes: f(record.attributes) } : record

const withoutAttributes = (record: Fields, keys: ReadonlyArray<string>): Fields =>
  mapAttributes(record, (attributes) => attributes.filter((attribute) => !keys.includes(keyOf(attribute) ?? "")))

const withAttribute = (record: Fields, key: string, value: Fields): Fields =>
  mapAttributes(record, (attributes) => [...attributes, { key, value }])

/** An attribute's string value. */
const stringAttribute = (record: Fields, key: string): string | undefined => {
  const attributes: ReadonlyArray<unknown> = Array.isArray(record.attributes) ? record.attributes : []
  const found = attributes.find((attribute) => keyOf(attribute) === key)
  const value = Predicate.isRecord(found) && Predicate.isRecord(found.value) ? found.value.stringValue : undefined
  return typeof value === "string" ? value : undefined
}

const isException = (event: Fields) => event.name === "exception"

/** `Cause.pretty`'s text without its `at ...` lines. */
const withoutStackFrames = (text: string) => text.split("\n").filter((line) => !/^\s*at\s/.test(line)).join("\n")

/** The string attribute `key` without stack frames. */
const withoutFramesIn = (record: Fields, key: string): Fields =>
  mapAttributes(record, (attributes) =>
    attributes.map((attribute) => {
      if (keyOf(attribute) !== key || !Predicate.isRecord(attribute) || !Predicate.isRecord(attribute.value)) return attribute
      const text = attribute.value.stringValue
      return typeof text === "string" ? { ...attribute, value: { stringValue: withoutStackFrames(text) } } : attribute
    }))

/** A line logged within the span, which Effect adds to it as an event. */
const correctLogEvent = (event: Fields): Fields => withoutFramesIn(withoutAttributes(event, ["effect.fiberId"]), "effect.cause")

const correctLogRecord = (record: Fields): Fields => withoutFramesIn(withoutAttributes(record, ["fiberId"]), "log.error")

const failedSpan = (span: Fields): Fields => {
  const events: ReadonlyArray<unknown> = Array.isArray(span.events) ? span.events : []
  const exception = events.find((event): event is Fields => Predicate.isRecord(event) && isException(event))
  const errorType = exception === undefined ? undefined : stringAttribute(exception, "exception.type")
  const relabelled = mapList(
    withoutAttributes(span, ["span.label", "status.interrupted"]),
    "events",
    (event) => isException(event) ? withoutAttributes(event, ["exception.stacktrace"]) : event
  )
  return errorType === undefined ? relabelled : withAttribute(relabelled, "error.type", { stringValue: errorType })
}

/** Headers whose values are kept: the standard ones of content, caching, tracing, proxies' forwarding and the service's own answers. */
const SafeHeaders: ReadonlySet<string> = new Set([
  "accept",
  "accept-encoding",
  "accept-language",
  "cache-control",
  "connection",
  "content-disposition",
  "content-encoding",
  "content-length",
  "content-security-policy",
  "content-type",
  "etag",
  "forwarded",
  "host",
  "if-none-match",
  "keep-alive",
  "origin",
  "referrer-policy",
  "retry-after",
  "traceparent",
  "tracestate",
  "transfer-encoding",
  "user-agent",
  "vary",
  "x-content-type-options",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-frame-options",
  "x-real-ip",
  "x-request-id"
])

const headerAttribute = /^http\.(?:request|response)\.header\.(.+)$/

/** Every header attribute of a header not in SafeHeaders, its value `<redacted>` (the platform's word for it). */
const withHeadersRedacted = (span: Fields): Fields =>
  mapAttributes(span, (attributes) =>
    attributes.map((attribute) => {
      const header = headerAttribute.exec(keyOf(attribute) ?? "")?.[1]
      return header === undefined || SafeHeaders.has(header.toLowerCase()) || !Predicate.isRecord(attribute)
        ? attribute
        : { ...attribute, value: { stringValue: "<redacted>" } }
    }))

const correctSpan = (span: Fields): Fields => {
  const status: Fields = Predicate.isRecord(span.status) ? span.status : {}
  const withoutFrames = mapList(
    withHeadersRedacted(withoutAttributes(span, ["code.stacktrace"])),
    "events",
    (event) => isException(event) ? event : correctLogEvent(event)
  )
  if (status.code === SpanError) return failedSpan(withoutFrames)
  // The library gives only an interrupted span an Ok status with a message.
  if (status.code === Ok && typeof status.message === "string") {
    return withAttribute({ ...withoutFrames, status: { code: Unset } }, "status.interrupted", { boolValue: true })
  }
  return withoutFrames
}

/** `value` with withoutEmails applied to every string in it, through plain objects and arrays (not the encoder's byte arrays). */
const emailsHidden = (value: unknown): unknown => {
  if (typeof value === "string") return withoutEmails(value)
  if (Array.isArray(value)) return value.map(emailsHidden)
  return Predicate.isRecord(value) && [Object.prototype, null].includes(Object.getPrototypeOf(value)) ? fieldsWithoutEmails(value) : value
}

const fieldsWithoutEmails = (record: Fields): Fields =>
  Object.fromEntries(Object.entries(record).map(([key, item]) => [key, emailsHidden(item)]))

/** A point of a histogram: without min and max when it recorded nothing. */
const correctHistogramPoint = (point: Fields): Fields => {
  if (Number(point["count"]) !== 0) return point
  const { max: _max, min: _min, ...rest } = point
  return rest
}

const correctMetric = (metric: Fields): Fields => {
  const unit = typeof metric["name"] === "string" && metric["name"].endsWith("_seconds")
    ? "s"
    : metric["unit"] === "milliseconds"
    ? "ms"
    : metric["unit"]
  const histogram = metric["histogram"]
  return {
    ...metric,
    unit,
    ...(Predicate.isRecord(histogram) ? { histogram: mapList(histogram, "dataPoints", correctHistogramPoint) } : {})
  }
}

export const correctMetrics = (data: unknown): unknown =>
  Predicate.isRecord(data)
    ? mapList(data, "resourceMetrics", (resource) => mapList(resource, "scopeMetrics", (scope) => mapList(scope, "metrics", correctMetric)))
    : data

export const correctTraces = (data: unknown): unknown =>
  Predicate.isRecord(data)
    ? mapList(data, "resourceSpans", (resource) =>
      mapList(resource, "scopeSpans", (scope) =>
        mapList(scope, "spans", (span) => fieldsWithoutEmails(correctSpan(span)))))
    : data

export const correctLogs = (data: unknown): unknown =>
  Predicate.isRecord(data)
    ? mapList(data, "resourceLogs", (resource) =>
      mapList(resource, "scopeLogs", (scope) =>
        mapList(scope, "logRecords", (record) =>
          fieldsWithoutEmails(correctLogRecord(record)))))
    : data

/** The OtlpSerialization in context (JSON or protobuf), fed the corrected spans, metrics and log records. */
export const correctedExportLayer: Layer.Layer<OtlpSerialization, never, OtlpSerialization> = Layer.effect(
  OtlpSerialization,
  Effect.map(OtlpSerialization, (encoding) =>
    OtlpSerialization.of({
      traces: (data) => encoding.traces(correctTraces(data)),
      metrics: (data) => encoding.metrics(correctMetrics(data)),
      logs: (data) => encoding.logs(correctLogs(data))
    }))
)
