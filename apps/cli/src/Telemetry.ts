import { Version } from "@baton-fivetran/fivetran-client/version"
import { ProxiedHttpClient, telemetryLayer } from "@baton-fivetran/connector-core"
import { configErrorText } from "@baton-fivetran/settings"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpTraceContext from "@effect/platform/HttpTraceContext"
import { Config, Effect, Layer, Option, Redacted } from "effect"
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

/**
 * The trace a run continues: `TRACEPARENT`, a W3C `traceparent` value (OpenTelemetry's variable for
 * a process started by a traced one: a workflow step, a CI job, a scheduler), so that a scheduled
 * run's `sync` span is a child of the span that started it, as a `POST /v1/syncs` request's
 * `traceparent` makes the service's sync. Unset, or not a valid traceparent: a trace of its own,
 * as an HTTP request's bad `traceparent` is ignored.
 */
const parentTrace = Effect.map(
  Effect.orElseSucceed(Config.option(Config.string("TRACEPARENT")), () => Option.none<string>()),
  Option.flatMap((traceparent) => HttpTraceContext.w3c(Headers.fromInput({ traceparent: traceparent.trim() })))
)

const inParentTrace = <A, E, R>(command: Effect.Effect<A, E, R>) =>
  Effect.flatMap(parentTrace, Option.match({ onNone: () => command, onSome: (parent) => Effect.withParentSpan(command, parent) }))

/** The command's failure is reported inside, where its log line is still exported (Exit.ts). */
export const withTelemetry = <A, E, R>(command: Effect.Effect<A, E, R>) => Effect.provide(inParentTrace(reportedHere(command)), telemetry)
