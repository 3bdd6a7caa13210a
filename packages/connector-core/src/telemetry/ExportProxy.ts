import { type EgressProxy, egressProxyConfig } from "@baton-fivetran/fivetran-client"
import type { HttpClient } from "@effect/platform"
import { type ConfigError, Context, Data, Effect, type Layer, type Redacted } from "effect"

/**
 * The HttpClient that sends a signal's exports through an egress proxy (HTTPS_PROXY or HTTP_PROXY,
 * a URL that may hold the proxy's user and password): each connection a CONNECT tunnel, the
 * credentials sent to the proxy alone. The app supplies it, as it supplies the direct HttpClient,
 * since that is where the HTTP stack (fetch or undici) is chosen; telemetryLayer asks for it only
 * for an endpoint the proxy applies to.
 */
export class ProxiedHttpClient extends Context.Tag("@baton-fivetran/connector-core/ProxiedHttpClient")<
  ProxiedHttpClient,
  (proxy: Redacted.Redacted<string>) => Layer.Layer<HttpClient.HttpClient>
>() {}

/**
 * HTTPS_PROXY, HTTP_PROXY or NO_PROXY is bad, read when export is on: kept apart from the OTEL_*
 * refusals so that the apps refuse it as they do for the Fivetran client ("bad proxy setting").
 */
export class ExportProxySettingError extends Data.TaggedError("ExportProxySettingError")<{
  readonly cause: ConfigError.ConfigError
}> {}

/** The egress proxy settings, as the Fivetran client reads them (EgressProxy.ts). */
export const exportEgressProxy: Effect.Effect<EgressProxy, ExportProxySettingError> = Effect.mapError(
  egressProxyConfig,
  (cause) => new ExportProxySettingError({ cause })
)
