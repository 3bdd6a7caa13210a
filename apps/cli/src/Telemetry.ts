import { Version } from "@baton-fivetran/fivetran-client/version"
import { telemetryLayer } from "@baton-fivetran/connector-core"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Effect, Layer } from "effect"
import { reportedHere } from "./Exit.js"
import { UsageError } from "./UsageError.js"

/**
 * A command's run with OTLP export when the OTEL_* variables ask for it (connector-core's
 * telemetryLayer: nothing at all otherwise). The exporter flushes when the command ends, before
 * the process exits. A bad OTEL_* value is a usage error (exit 2). Imported only by the commands
 * that talk to Fivetran, so help, usage errors and the manifests never load it. The exporter's
 * HTTP client is Node's fetch, reached only when it sends: every run builds this layer, and
 * @effect/platform-node's undici client would load all of the npm undici and open an agent for it.
 */
const telemetry = telemetryLayer({ name: "baton-fivetran", version: Version }).pipe(
  Layer.mapError((error) => new UsageError({ reason: `bad OpenTelemetry setting: ${error}` })),
  Layer.provide(FetchHttpClient.layer)
)

/** The command's failure is reported inside, where its log line is still exported (Exit.ts). */
export const withTelemetry = <A, E, R>(command: Effect.Effect<A, E, R>) => Effect.provide(reportedHere(command), telemetry)
