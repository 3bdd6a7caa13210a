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
 * OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES (`k=v,...`), OTEL_BSP_SCHEDULE_DELAY and
 * OTEL_METRIC_EXPORT_INTERVAL (milliseconds).
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

const milliseconds = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.validate({ message: "expected a positive number of milliseconds", validation: (n) => n > 0 }),
    Config.withDefault(fallback),
    Config.map(Duration.millis)
  )

const isHttpUrl = (url: string) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol)

const endpointUrl = Config.string("OTEL_EXPORTER_OTLP_ENDPOINT").pipe(
  Config.validate({
    message: "expected an http(s) URL such as http://localhost:4318",
    validation: (url) => url.trim() === "" || isHttpUrl(url.trim())
  }),
  Config.map((url) => url.trim()),
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
    headers: keyValueList("OTEL_EXPORTER_OTLP_HEADERS"),
    serviceName: Config.string("OTEL_SERVICE_NAME").pipe(Config.withDefault(defaultServiceName)),
    resourceAttributes: keyValueList("OTEL_RESOURCE_ATTRIBUTES"),
    spanExportDelay: milliseconds("OTEL_BSP_SCHEDULE_DELAY", 5_000),
    metricExportInterval: milliseconds("OTEL_METRIC_EXPORT_INTERVAL", 60_000)
  }).pipe(
    Config.map(({ disabled, endpoint, headers, ...rest }) =>
      disabled ? Option.none() : Option.map(Option.filter(endpoint, (url) => url !== ""), (url) => ({
        ...rest,
        endpoint: url.replace(/\/+$/, ""),
        headers: Redacted.make(headers)
      }))
    )
  )

/**
 * The exporter layer for these settings: spans, Effect metrics and log records to the endpoint,
 * flushed when the layer's scope closes (a CLI run's end, the service's shutdown).
 */
const exporterLayer = (settings: OtlpSettings, serviceVersion: string) =>
  Layer.unwrapEffect(
    Effect.map(Effect.promise(() => import("@effect/opentelemetry/Otlp")), (Otlp) =>
      (settings.protocol === "http/json" ? Otlp.layerJson : Otlp.layerProtobuf)({
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
      }))
  ).pipe(Layer.provide(warnOnFailedExportsLayer))

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
