import type { HttpClient } from "@effect/platform"
import { Config, ConfigError, Duration, Effect, Either, Layer, Option, Redacted } from "effect"
import { warnOnFailedExportsLayer } from "./ExportFailures.js"

/**
 * Tracing and metrics export over OTLP/HTTP, switched on by the standard OpenTelemetry variables
 * and nothing else. Without `OTEL_EXPORTER_OTLP_ENDPOINT` the layer only turns tracing off; the
 * exporter (@effect/opentelemetry's Otlp modules, Effect's own OTLP encoder over the platform
 * HttpClient) is not even imported, so a one-shot CLI run pays nothing for it.
 *
 * Read: OTEL_SDK_DISABLED, OTEL_EXPORTER_OTLP_ENDPOINT (base URL; /v1/traces, /v1/metrics and
 * /v1/logs are appended), OTEL_EXPORTER_OTLP_PROTOCOL (`http/protobuf`, the default, or
 * `http/json`), OTEL_EXPORTER_OTLP_HEADERS (`k=v,...`, kept Redacted: it usually holds a token),
 * OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES (`k=v,...`), OTEL_BSP_SCHEDULE_DELAY,
 * OTEL_METRIC_EXPORT_INTERVAL and OTEL_EXPORTER_OTLP_TIMEOUT (milliseconds).
 */

export type OtlpProtocol = "http/protobuf" | "http/json"

export interface OtlpSettings {
  readonly endpoint: string
  readonly protocol: OtlpProtocol
  readonly headers: Redacted.Redacted<Readonly<Record<string, string>>>
  readonly serviceName: string
  readonly resourceAttributes: Readonly<Record<string, string>>
  readonly spanExportDelay: Duration.Duration
  readonly metricExportInterval: Duration.Duration
  /** How long one export request may wait for the collector's answer. */
  readonly exportTimeout: Duration.Duration
}

/** `k=v,k2=v2` with percent-encoded values (the OpenTelemetry environment format); blanks skipped. */
const keyValueList = (name: string) =>
  Config.string(name).pipe(
    Config.withDefault(""),
    Config.mapOrFail((text) => {
      const entries: Array<readonly [string, string]> = []
      for (const item of text.split(",").map((part) => part.trim()).filter((part) => part !== "")) {
        const equals = item.indexOf("=")
        if (equals <= 0) {
          return Either.left(ConfigError.InvalidData([name], `expected key=value pairs separated by commas`))
        }
        const value = Either.try(() => decodeURIComponent(item.slice(equals + 1).trim()))
        if (Either.isLeft(value)) {
          return Either.left(ConfigError.InvalidData([name], `a value is not valid percent-encoding`))
        }
        entries.push([item.slice(0, equals).trim(), value.right])
      }
      return Either.right(Object.fromEntries(entries))
    })
  )

/** C0 controls and DEL: never valid in a header value (RFC 9110 §5.5). */
const hasControlCharacter = (value: string) => Array.from(value).some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)

/**
 * Header values are checked here because the HTTP client, sending them, refuses them with a message
 * that quotes the value (usually a token), long after the start.
 */
const otlpHeaders = keyValueList("OTEL_EXPORTER_OTLP_HEADERS").pipe(
  Config.mapOrFail((headers) => {
    const bad = Object.keys(headers).find((key) => hasControlCharacter(headers[key]!))
    return bad === undefined ? Either.right(headers) : Either.left(ConfigError.InvalidData(
      ["OTEL_EXPORTER_OTLP_HEADERS"],
      `the value of header "${bad}" holds a control character (a percent-encoded %00 to %1F or %7F, such as a ` +
        `trailing %0A); remove it`
    ))
  })
)

const milliseconds = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.validate({ message: "expected a positive number of milliseconds", validation: (n) => n > 0 }),
    Config.withDefault(fallback),
    Config.map(Duration.millis)
  )

const isHttpUrl = (url: string) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol)

/**
 * User info (`http://user:password@host`) is refused: fetch refuses such a URL with an error that
 * repeats it, password included, and a collector's credentials belong in OTEL_EXPORTER_OTLP_HEADERS.
 * So are a query and a fragment (`?api_key=...`, `#...`): the exporter appends `/v1/traces` to the
 * URL's text, which lands inside them (`?api_key=SECRET/v1/traces`, posted to the base path), so such
 * an endpoint never worked, and its request errors, logged at debug level, repeated the query.
 */
const endpointUrl = Config.string("OTEL_EXPORTER_OTLP_ENDPOINT").pipe(
  Config.map((url) => url.trim()),
  Config.mapOrFail((url) => {
    const refuse = (message: string) => Either.left(ConfigError.InvalidData(["OTEL_EXPORTER_OTLP_ENDPOINT"], message))
    if (url === "") return Either.right(url)
    if (!isHttpUrl(url)) return refuse("expected an http(s) URL such as http://localhost:4318")
    const { password, username } = new URL(url)
    if (username !== "" || password !== "") {
      return refuse(
        "the URL must not hold a user name or password (user:password@); send the collector's credentials in " +
          "OTEL_EXPORTER_OTLP_HEADERS instead, e.g. authorization=Basic%20<base64 of user:password>"
      )
    }
    // The raw text, not URL's search and hash: a bare `?` or `#` leaves those empty.
    return !/[?#]/.test(url) ? Either.right(url) : refuse(
      "the URL must not hold a query or fragment (?... or #...): give the collector's base URL, to which " +
        "/v1/traces, /v1/metrics and /v1/logs are appended, and send any key or token in " +
        "OTEL_EXPORTER_OTLP_HEADERS, e.g. api-key=<key>"
    )
  }),
  Config.option
)

/** The settings when export is switched on; none without an endpoint or with OTEL_SDK_DISABLED=true. */
export const otlpSettings = (defaultServiceName: string): Config.Config<Option.Option<OtlpSettings>> =>
  Config.all({
    disabled: Config.boolean("OTEL_SDK_DISABLED").pipe(Config.withDefault(false)),
    endpoint: endpointUrl,
    protocol: Config.literal("http/protobuf", "http/json")("OTEL_EXPORTER_OTLP_PROTOCOL").pipe(
      Config.withDefault("http/protobuf" as const)
    ),
    headers: otlpHeaders,
    serviceName: Config.string("OTEL_SERVICE_NAME").pipe(Config.withDefault(defaultServiceName)),
    resourceAttributes: keyValueList("OTEL_RESOURCE_ATTRIBUTES"),
    spanExportDelay: milliseconds("OTEL_BSP_SCHEDULE_DELAY", 5_000),
    metricExportInterval: milliseconds("OTEL_METRIC_EXPORT_INTERVAL", 60_000),
    exportTimeout: milliseconds("OTEL_EXPORTER_OTLP_TIMEOUT", 10_000)
  }).pipe(
    Config.map(({ disabled, endpoint, headers, ...rest }) =>
      disabled ? Option.none() : Option.map(Option.filter(endpoint, (url) => url !== ""), (url) => ({
        ...rest,
        endpoint: url.replace(/\/+$/, ""),
        headers: Redacted.make(headers)
      }))
    )
  )

/** The exporter's modules, loaded only when export is switched on. */
const exporterModules = Effect.promise(() =>
  Promise.all([
    import("@effect/opentelemetry/Otlp"),
    import("@effect/opentelemetry/OtlpSerialization"),
    import("./ExportedData.js")
  ])
)

/**
 * The exporter layer for these settings: spans, Effect metrics and log records to the endpoint
 * (spans and log records corrected first: ExportedData.ts), flushed when the layer's scope closes
 * (a CLI run's end, the service's shutdown).
 */
const exporterLayer = (settings: OtlpSettings, serviceVersion: string) =>
  Layer.unwrapEffect(
    Effect.map(exporterModules, ([Otlp, OtlpSerialization, { correctedExportLayer }]) =>
      Otlp.layer({
        baseUrl: settings.endpoint,
        resource: {
          serviceName: settings.serviceName,
          serviceVersion,
          attributes: settings.resourceAttributes
        },
        headers: Redacted.value(settings.headers),
        tracerExportInterval: settings.spanExportDelay,
        metricsExportInterval: settings.metricExportInterval,
        loggerExportInterval: settings.spanExportDelay
      }).pipe(
        Layer.provide(correctedExportLayer),
        Layer.provide(settings.protocol === "http/json" ? OtlpSerialization.layerJson : OtlpSerialization.layerProtobuf)
      ))
  ).pipe(Layer.provide(warnOnFailedExportsLayer(settings.exportTimeout)))

/**
 * OTLP export when the OTEL_* variables ask for it. Otherwise tracing is turned off: spans would
 * go nowhere, and a sync made one per request (Effect then makes no-op spans, and the client none).
 */
export const telemetryLayer = (
  service: { readonly name: string; readonly version: string }
): Layer.Layer<never, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(
    Effect.map(otlpSettings(service.name), (settings) =>
      Option.match(settings, {
        onNone: () => Layer.setTracerEnabled(false),
        onSome: (enabled) => exporterLayer(enabled, service.version)
      }))
  )
