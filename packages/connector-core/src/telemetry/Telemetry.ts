import { type EgressProxy, proxyFor } from "@baton-fivetran/fivetran-client"
import type { HttpClient } from "@effect/platform"
import { type ConfigError, Effect, Layer, Option, Redacted } from "effect"
import { warnOnFailedExportsLayer } from "./ExportFailures.js"
import { otlpSettings, type OtlpSettings, type SignalExport } from "./OtlpSettings.js"
import { exportEgressProxy, type ExportProxySettingError, ProxiedHttpClient } from "./ExportProxy.js"

export { ExportProxySettingError, ProxiedHttpClient } from "./ExportProxy.js"
export { otlpSettings, type OtlpProtocol, type OtlpSettings, type Signal, type SignalExport } from "./OtlpSettings.js"

/**
 * Tracing, metrics and log export over OTLP/HTTP, switched on by the standard OpenTelemetry
 * variables (OtlpSettings.ts) and nothing else. Without any endpoint the layer only turns tracing
 * off; the exporter (@effect/opentelemetry's Otlp modules, Effect's own OTLP encoder over the
 * platform HttpClient) is not even imported, so a one-shot CLI run pays nothing for it.
 */

/** The exporter's modules, loaded only when export is switched on. */
const exporterModules = Effect.promise(() =>
  Promise.all([
    import("@effect/opentelemetry/OtlpTracer"),
    import("@effect/opentelemetry/OtlpMetrics"),
    import("@effect/opentelemetry/OtlpLogger"),
    import("@effect/opentelemetry/OtlpSerialization"),
    import("./ExportedData.js")
  ])
)

/**
 * The HttpClient a signal's exports go through, warning of failed ones: the app's, or the app's
 * through the egress proxy the signal's URL takes, as the Fivetran client's requests do (loopback
 * and NO_PROXY hosts directly); signals may go to different collectors, one inside the network.
 * Fresh: a layer is built once per build, so a proxied client the app makes from a layer it also
 * uses elsewhere (its direct client's) would be that one, and signals behind two proxies would share one.
 */
const exportClient = (
  target: SignalExport,
  egress: EgressProxy
): Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient | ProxiedHttpClient> =>
  Option.match(proxyFor(target.url, egress), {
    onNone: () => warnOnFailedExportsLayer(target.timeout, target),
    onSome: (proxy) =>
      warnOnFailedExportsLayer(target.timeout, {
        ...target,
        proxyVariable: new URL(target.url).protocol === "https:" ? egress.variables.https : egress.variables.http
      }).pipe(
        Layer.provide(Layer.fresh(Layer.unwrapEffect(Effect.map(ProxiedHttpClient, (throughProxy) => throughProxy(proxy)))))
      )
  })

/**
 * The exporter layer for these settings: each signal that has a URL sent there, with its headers,
 * in its protocol's encoding, through its own failure warnings (naming its variables); spans and
 * log records corrected first (ExportedData.ts); flushed when the layer's scope closes (a CLI
 * run's end, the service's shutdown). Without a traces URL tracing is off, as spans would go nowhere.
 */
const exporterLayer = (settings: OtlpSettings, serviceVersion: string, egress: EgressProxy) =>
  Layer.unwrapEffect(
    Effect.map(exporterModules, ([OtlpTracer, OtlpMetrics, OtlpLogger, OtlpSerialization, { correctedExportLayer }]) => {
      const resource = { serviceName: settings.serviceName, serviceVersion, attributes: settings.resourceAttributes }
      const exported = <E, R>(
        signal: Option.Option<SignalExport>,
        layer: (target: SignalExport) => Layer.Layer<never, E, R>,
        otherwise: Layer.Layer<never>
      ) =>
        Option.match(signal, {
          onNone: () => otherwise,
          onSome: (target) =>
            layer(target).pipe(
              // Fresh: a layer is built once per reference, so a shared one would give every signal
              // the first signal's encoding.
              Layer.provide(Layer.fresh(correctedExportLayer)),
              Layer.provide(target.protocol === "http/json" ? OtlpSerialization.layerJson : OtlpSerialization.layerProtobuf),
              Layer.provide(exportClient(target, egress))
            )
        })
      return Layer.mergeAll(
        exported(settings.traces, (target) =>
          OtlpTracer.layer({
            url: target.url,
            resource,
            headers: Redacted.value(target.headers),
            exportInterval: settings.spanExportDelay
          }), Layer.setTracerEnabled(false)),
        exported(settings.metrics, (target) =>
          OtlpMetrics.layer({
            url: target.url,
            resource,
            headers: Redacted.value(target.headers),
            exportInterval: settings.metricExportInterval
          }), Layer.empty),
        exported(settings.logs, (target) =>
          OtlpLogger.layer({
            url: target.url,
            resource,
            headers: Redacted.value(target.headers),
            exportInterval: settings.spanExportDelay
          }), Layer.empty)
      )
    })
  )

/**
 * OTLP export when the OTEL_* variables ask for it. Otherwise tracing is turned off: spans would
 * go nowhere, and a sync made one per request (Effect then makes no-op spans, and the client none).
 * The proxy variables are read only when export is on; a bad one fails with ExportProxySettingError.
 */
export const telemetryLayer = (
  service: { readonly name: string; readonly version: string }
): Layer.Layer<never, ConfigError.ConfigError | ExportProxySettingError, HttpClient.HttpClient | ProxiedHttpClient> =>
  Layer.unwrapEffect(
    Effect.flatMap(otlpSettings(service.name), (settings) =>
      Option.match(settings, {
        onNone: () => Effect.succeed(Layer.setTracerEnabled(false)),
        onSome: (enabled) => Effect.map(exportEgressProxy, (egress) => exporterLayer(enabled, service.version, egress))
      }))
  )
