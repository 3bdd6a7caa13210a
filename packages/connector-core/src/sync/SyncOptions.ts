import { type Effect, Schema } from "effect"

/** What one sync is asked to do. */
export interface SyncOptions {
  /** Opt-in connection-level access (`--sync-connections`). */
  readonly syncConnections: boolean
  /** Upper bound on concurrent membership requests (default 8). */
  readonly concurrency: number
  /** Called as the sync advances: what is being listed, counts so far. */
  readonly onProgress?: (progress: SyncProgress) => Effect.Effect<void>
  /**
   * Requests answered and rows written are reported at most this often (default 100 ms; 0: after
   * every request and every chunk of rows). A phase starting, a wait starting or ending and the end
   * of the sync are always reported at once.
   */
  readonly progressEveryMillis?: number
}

export const DefaultProgressEveryMillis = 100

/** A request held back: by a 429 (`rate-limited`), by the reserve (`reserve`), or before a retry (`retry`). */
export const SyncWait = Schema.Struct({
  kind: Schema.Literal("rate-limited", "reserve", "retry"),
  endpoint: Schema.String,
  reason: Schema.String,
  /** ISO 8601 time the wait ends. */
  until: Schema.String
})
export type SyncWait = typeof SyncWait.Type

/** Fields added after jobs were first stored: absent in an older stored job, null there. */
export const nullByDefault = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(Schema.NullOr(schema), { default: () => null })

/**
 * Where a running sync is: what is being listed now (e.g. "users"), the counts so far, the wait in
 * progress, and the estimated requests left (a lower bound from what the lists have shown so far)
 * with the time the rate-limit budget adds to them (0: they fit; null: not known yet).
 */
export const SyncProgress = Schema.Struct({
  phase: Schema.String,
  resources: Schema.Number,
  entitlements: Schema.Number,
  grants: Schema.Number,
  requests: Schema.Number,
  waiting: nullByDefault(SyncWait),
  requestsLeft: nullByDefault(Schema.Number),
  budgetWaitMillis: nullByDefault(Schema.Number)
})
export type SyncProgress = typeof SyncProgress.Type

/**
 * A progress as the fields of a log line, one naming for the CLI's progress line and the service's
 * `sync job progress`, so that one log query reads both.
 */
export const progressLogFields = ({ entitlements, grants, phase, requests, resources, waiting }: SyncProgress) => ({
  phase,
  resources,
  entitlements,
  grants,
  requests,
  ...(waiting === null ? {} : { waiting_until: waiting.until, waiting_reason: waiting.reason })
})
