import { type Effect, Schema } from "effect"

/** What one sync is asked to do. */
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
