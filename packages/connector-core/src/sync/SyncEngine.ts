import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { Context, Effect, Layer } from "effect"
import type { SyncSink } from "../model/SyncSink.js"
import { ResourceTypeRegistry } from "../registry/ResourceTypeRegistry.js"
import { recordBuildInfo } from "../telemetry/BuildInfo.js"
import type { SyncFailed } from "./SyncFailure.js"
import { meteredSync, registerSyncSeries } from "./SyncMetrics.js"
import type { SyncOptions } from "./SyncOptions.js"
import { runSync } from "./SyncRun.js"
import type { SyncSummary } from "./SyncSummary.js"

export interface SyncEngineShape {
  /** Lists Fivetran once, maps to baton rows and streams them into the sink. */
  readonly run: (options: SyncOptions) => Effect.Effect<SyncSummary, SyncFailed, SyncSink>
}

export class SyncEngine extends Context.Tag("connector-core/SyncEngine")<SyncEngine, SyncEngineShape>() {
  /** The engine over the Fivetran client, for the types of the registry in use (see SyncRun.ts for the pipeline). */
  static readonly layer: Layer.Layer<SyncEngine, never, FivetranClient> = Layer.effect(
    SyncEngine,
    Effect.gen(function*() {
      const client = yield* FivetranClient
      const registry = yield* ResourceTypeRegistry
      // The series an app that syncs exports from its start (the service's /metrics, the CLI's OTLP export).
      yield* registerSyncSeries
      yield* recordBuildInfo
      return SyncEngine.of({
        run: (options) =>
          runSync(client, registry, options).pipe(
            meteredSync,
            Effect.withSpan("sync", {
              attributes: { "sync.connections": options.syncConnections, "sync.concurrency": options.concurrency }
            })
          )
      })
    })
  )
}
