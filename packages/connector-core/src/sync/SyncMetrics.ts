import { Cause, Clock, Effect, Exit, Metric, MetricBoundaries } from "effect"
import type { SyncFailed } from "./SyncFailure.js"
import type { SyncSummary } from "./SyncSummary.js"
import { type SyncWarningKind, SyncWarningKinds } from "./SyncWarning.js"

/** Process-wide Effect `Metric`s of syncs, exported by the apps over OTLP and at `/metrics`. */

export const SyncOutcomes = ["succeeded", "failed", "interrupted"] as const
export type SyncOutcome = typeof SyncOutcomes[number]

/** One observation per sync that ended; `outcome` is `succeeded`, `failed` or `interrupted`. */
export const syncDuration = Metric.histogram(
  "baton_sync_duration_seconds",
  MetricBoundaries.exponential({ start: 0.5, factor: 2, count: 14 }),
  "How long syncs took, by outcome"
)

/** Rows of completed syncs, by row type (`resource_type`, `resource`, `entitlement`, `grant`). */
export const syncRows = Metric.counter("baton_sync_rows_total", {
  description: "Rows written by completed syncs, by row type",
  incremental: true
})

/** Resources of completed syncs, by resource type (`user`, `role`, `group`, `team`, `connection`). */
export const syncResources = Metric.counter("baton_sync_resources_total", {
  description: "Resources written by completed syncs, by resource type",
  incremental: true
})

/**
 * Warnings of syncs, by `kind` (`SyncWarning.ts`): each distinct warning once per sync, as it arises
 * (a sync that then fails still counts its). A sync with warnings succeeds; this is what shows it.
 */
export const syncWarnings = Metric.counter("baton_sync_warnings_total", {
  description: "Warnings of syncs (a part of the account skipped), by kind",
  incremental: true
})

export const countSyncWarning = (kind: SyncWarningKind) => Metric.increment(Metric.tagged(syncWarnings, "kind", kind))

/**
 * When the last successful sync ended, in Unix seconds: what a stale-sync alert compares with
 * `time()`. Set as each sync succeeds; the HTTP service sets it at start from the newest sync it
 * kept (0 when it kept none), and the CLI only when its sync succeeded.
 */
export const lastSuccessfulSync = Metric.gauge("baton_last_successful_sync_timestamp_seconds", {
  description: "When the last successful sync ended, in Unix seconds (0: none known)"
})

export const setLastSuccessfulSync = (epochMillis: number) => Metric.set(lastSuccessfulSync, epochMillis / 1000)

/**
 * When the last failed sync ended, in Unix seconds: above the last successful sync's time, the
 * latest sync failed, an alert that clears with the next success (a failure counter's `increase`
 * fires for its whole window, after a success too). Set as each sync fails; the HTTP service sets it
 * at start, and as each job fails, from the newest failed job it kept (0 when it kept none).
 */
export const lastFailedSync = Metric.gauge("baton_last_failed_sync_timestamp_seconds", {
  description: "When the last failed sync ended, in Unix seconds (0: none known)"
})

export const setLastFailedSync = (epochMillis: number) => Metric.set(lastFailedSync, epochMillis / 1000)

/**
 * Every outcome's duration series and every warning kind's count, at 0 from the start, and the
 * last failed sync's time. Prometheus reads a series that appears at 1 as no increase, so
 * `increase(...) > 0` missed the first failed sync; the label sets are fixed, so this bounds nothing new.
 */
export const registerSyncSeries: Effect.Effect<void> = Effect.all([
  Effect.forEach(SyncOutcomes, (outcome) => Metric.value(Metric.tagged(syncDuration, "outcome", outcome)), { discard: true }),
  Effect.forEach(SyncWarningKinds, (kind) => Metric.value(Metric.tagged(syncWarnings, "kind", kind)), { discard: true }),
  Metric.value(lastFailedSync)
], { discard: true })

const outcomeOf = (exit: Exit.Exit<unknown, unknown>): SyncOutcome =>
  Exit.isSuccess(exit) ? "succeeded" : Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "failed"

const recordRows = (summary: SyncSummary) =>
  Effect.all([
    Metric.incrementBy(Metric.tagged(syncRows, "type", "resource_type"), summary.resourceTypes),
    Metric.incrementBy(
      Metric.tagged(syncRows, "type", "resource"),
      Object.values(summary.resources).reduce((sum, n) => sum + n, 0)
    ),
    Metric.incrementBy(Metric.tagged(syncRows, "type", "entitlement"), summary.entitlements),
    Metric.incrementBy(Metric.tagged(syncRows, "type", "grant"), summary.grants.direct + summary.grants.derived),
    Effect.forEach(
      Object.entries(summary.resources),
      ([type, count]) => Metric.incrementBy(Metric.tagged(syncResources, "resource_type", type), count),
      { discard: true }
    ),
    Effect.annotateCurrentSpan({
      "sync.resources": Object.values(summary.resources).reduce((sum, n) => sum + n, 0),
      "sync.entitlements": summary.entitlements,
      "sync.grants": summary.grants.direct + summary.grants.derived,
      "sync.requests": summary.requests,
      "sync.retries": summary.retries
    })
  ], { discard: true })

/** Times the sync and counts its rows once it completed, whatever its end (interruption included). */
export const meteredSync = <R>(sync: Effect.Effect<SyncSummary, SyncFailed, R>) =>
  Effect.flatMap(Clock.currentTimeNanos, (startedAt) =>
    Effect.onExit(sync, (exit) =>
      Effect.gen(function*() {
        // The duration by the monotonic clock (a wall clock set back made it negative); the end, a time, by the wall clock.
        const elapsedSeconds = Number((yield* Clock.currentTimeNanos) - startedAt) / 1e9
        const endedAt = yield* Clock.currentTimeMillis
        const outcome = outcomeOf(exit)
        yield* Metric.update(Metric.tagged(syncDuration, "outcome", outcome), elapsedSeconds)
        yield* Effect.annotateCurrentSpan("sync.outcome", outcome)
        if (Exit.isSuccess(exit)) yield* Effect.zipRight(recordRows(exit.value), setLastSuccessfulSync(endedAt))
        if (outcome === "failed") yield* setLastFailedSync(endedAt)
      })))
