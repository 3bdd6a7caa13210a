import { type SyncFailureReason, SyncFailureReasons, type SyncStopReason, SyncStopReasons } from "@baton-fivetran/connector-core"
import { Effect, Metric, MetricLabel } from "effect"

/**
 * `baton_sync_jobs_total{outcome, reason}`: each sync job counted once as it ends, with why it did
 * not succeed. `baton_sync_duration_seconds{outcome="failed"}` says that syncs fail, not why, so an
 * alert could not tell a key Fivetran refuses from its rate limit, its 5xx or a full disk. Both
 * labels come from the closed sets below: never an error's text or an id.
 */

export type SyncJobEnd =
  | { readonly outcome: "succeeded"; readonly reason: "none" }
  // Why it failed: connector-core's reasons, which the failed-sync log lines of both apps say too.
  | { readonly outcome: "failed"; readonly reason: SyncFailureReason }
  // Through the API, or by the service's own stop: the words the CLI's interrupted sync line has too.
  | { readonly outcome: "cancelled"; readonly reason: SyncStopReason }

export const succeededEnd: SyncJobEnd = { outcome: "succeeded", reason: "none" }

export const syncJobs = Metric.counter("baton_sync_jobs_total", {
  description: "Sync jobs ended, by outcome (succeeded, failed, cancelled) and reason (why it failed or was cancelled; none)",
  incremental: true
})

const endCounter = (end: SyncJobEnd) =>
  Metric.taggedWithLabels(syncJobs, [MetricLabel.make("outcome", end.outcome), MetricLabel.make("reason", end.reason)])

const allEnds: ReadonlyArray<SyncJobEnd> = [
  succeededEnd,
  ...SyncFailureReasons.map((reason) => ({ outcome: "failed", reason }) as const),
  ...SyncStopReasons.map((reason) => ({ outcome: "cancelled", reason }) as const)
]

/**
 * Every outcome and reason at 0 from the start (13 series): Prometheus reads a series that appears
 * at 1 as no increase, so `increase(...) > 0` would miss the first failure of its kind.
 */
export const registerSyncJobSeries: Effect.Effect<void> = Effect.forEach(allEnds, (end) => Metric.value(endCounter(end)), {
  discard: true
})

export const countSyncJobEnd = (end: SyncJobEnd): Effect.Effect<void> => Metric.increment(endCounter(end))
