import { Version } from "@baton-fivetran/fivetran-client/version"
import { ProxiedHttpClient, telemetryLayer } from "@baton-fivetran/connector-core"
import { configErrorText } from "@baton-fivetran/settings"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { Effect, Layer, Redacted } from "effect"
import { reportedHere } from "./Exit.js"
import { UsageError } from "./UsageError.js"

/**
 * Exports to an endpoint behind the egress proxy (HTTPS_PROXY, HTTP_PROXY) go through undici's
 * ProxyAgent, as the Fivetran client's requests do, under @effect/platform-node's undici client:
 * both are imported when such an endpoint's exporter starts, never by a run without one.
 */
const proxiedHttpClient = Layer.succeed(ProxiedHttpClient, (proxy) =>
  Layer.scoped(
    HttpClient.HttpClient,
    Effect.flatMap(
      Effect.promise(() => Promise.all([import("@effect/platform-node/NodeHttpClient"), import("@effect/platform-node/Undici")])),
      ([NodeHttpClient, { ProxyAgent }]) =>
        Effect.map(
          Effect.acquireRelease(
            Effect.sync(() => new ProxyAgent({ uri: Redacted.value(proxy) })),
            (agent) => Effect.promise(() => agent.destroy())
          ),
          NodeHttpClient.makeUndici
        )
    )
  ))

/**
 * A command's run with OTLP export when the OTEL_* variables ask for it (connector-core's
 * telemetryLayer: nothing at all otherwise). The exporter flushes when the command ends, before
 * the process exits. A bad OTEL_* value is a usage error (exit 2), and so is a bad proxy variable,
 * worded as the Fivetran client's refusal of it is. Imported only by the commands that talk to
 * Fivetran, so help, usage errors and the manifests never load it. The exporter's direct HTTP
 * client is Node's fetch, reached only when it sends: every run builds this layer, and
 * @effect/platform-node's undici client would load all of the npm undici and open an agent for it.
 */
const telemetry = telemetryLayer({ name: "baton-fivetran", version: Version }).pipe(
  Layer.mapError((error) =>
    new UsageError({
      reason: error._tag === "ExportProxySettingError" ?
        `bad proxy setting: ${configErrorText(error.cause)}` :
        `bad OpenTelemetry setting: ${configErrorText(error)}`
    })
  ),
  Layer.provide(Layer.merge(FetchHttpClient.layer, proxiedHttpClient))
)

/** The command's failure is reported inside, where its log line is still exported (Exit.ts). */
export const withTelemetry = <A, E, R>(command: Effect.Effect<A, E, R>) => Effect.provide(reportedHere(command), telemetry)
