import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { Context, Data, Effect, Layer } from "effect"
import type { SyncSink } from "../model/SyncSink.js"
import { runSync } from "./SyncRun.js"

export interface SyncOptions {
  /** Opt-in connection-level access (`--sync-connections`). */
  readonly syncConnections: boolean
  /** Upper bound on concurrent membership requests (default 8). */
  readonly concurrency: number
  /** Called as the sync advances: what is being listed, counts so far. */
  readonly onProgress?: (progress: SyncProgress) => Effect.Effect<void>
}

export interface SyncProgress {
  /** What is being listed now, e.g. "users", "group memberships". */
  readonly phase: string
  readonly resources: number
  readonly entitlements: number
  readonly grants: number
  readonly requests: number
}

export interface SyncSummary {
  /** Resources per resource type id (`user`, `role`, `group`, `team`, `connection`). */
  readonly resources: Readonly<Record<string, number>>
  readonly resourceTypes: number
  readonly entitlements: number
  readonly grants: { readonly direct: number; readonly derived: number }
  readonly requests: number
  readonly retries: number
  readonly rateLimitWaitMillis: number
  readonly warnings: ReadonlyArray<string>
  readonly durationMillis: number
}

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
      SyncEngine.of({ run: (options) => runSync(client, options).pipe(Effect.withSpan("SyncEngine.run")) }))
  )
}
