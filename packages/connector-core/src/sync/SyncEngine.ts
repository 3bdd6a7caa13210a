import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { Context, Data, Effect, Layer, Schema } from "effect"
import type { SyncSink } from "../model/SyncSink.js"
import { meteredSync } from "./SyncMetrics.js"
import { runSync } from "./SyncRun.js"

export interface SyncOptions {
  /** Opt-in connection-level access (`--sync-connections`). */
  readonly syncConnections: boolean
  /** Upper bound on concurrent membership requests (default 8). */
  readonly concurrency: number
  /** Called as the sync advances: what is being listed, counts so far. */
  readonly onProgress?: (progress: SyncProgress) => Effect.Effect<void>
}

/** Where a running sync is: what is being listed now (e.g. "users") and the counts so far. */
export const SyncProgress = Schema.Struct({
  phase: Schema.String,
  resources: Schema.Number,
  entitlements: Schema.Number,
  grants: Schema.Number,
  requests: Schema.Number
})
export type SyncProgress = typeof SyncProgress.Type

/** What a finished sync did. A Schema so the apps can serve and store it as JSON. */
export const SyncSummary = Schema.Struct({
  /** Resources per resource type id (`user`, `role`, `group`, `team`, `connection`). */
  resources: Schema.Record({ key: Schema.String, value: Schema.Number }),
  resourceTypes: Schema.Number,
  entitlements: Schema.Number,
  grants: Schema.Struct({ direct: Schema.Number, derived: Schema.Number }),
  requests: Schema.Number,
  retries: Schema.Number,
  rateLimitWaitMillis: Schema.Number,
  warnings: Schema.Array(Schema.String),
  durationMillis: Schema.Number
})
export type SyncSummary = typeof SyncSummary.Type

/** A sync that could not complete; `message` says why and what to do (e.g. the missing key permission). */
export class SyncFailed extends Data.TaggedError("SyncFailed")<{
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message() {
    return this.reason
  }
}

export interface SyncEngineShape {
  /** Lists Fivetran once, maps to baton rows and streams them into the sink. */
  readonly run: (options: SyncOptions) => Effect.Effect<SyncSummary, SyncFailed, SyncSink>
}

export class SyncEngine extends Context.Tag("connector-core/SyncEngine")<SyncEngine, SyncEngineShape>() {
  /** The engine over the Fivetran client (see SyncRun.ts for the pipeline). */
  static readonly layer: Layer.Layer<SyncEngine, never, FivetranClient> = Layer.effect(
    SyncEngine,
    Effect.map(FivetranClient, (client) =>
      SyncEngine.of({
        run: (options) =>
          runSync(client, options).pipe(
            meteredSync,
            Effect.withSpan("sync", {
              attributes: { "sync.connections": options.syncConnections, "sync.concurrency": options.concurrency }
            })
          )
      }))
  )
}
