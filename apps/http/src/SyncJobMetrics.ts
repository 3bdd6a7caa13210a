import { Cause, Effect, Metric, MetricLabel, Option, Predicate } from "effect"
import { SyncFailed } from "@baton-fivetran/connector-core"
import type { FivetranError } from "@baton-fivetran/fivetran-client"

/**
 * `baton_sync_jobs_total{outcome, reason}`: each sync job counted once as it ends, with why it did
 * not succeed. `baton_sync_duration_seconds{outcome="failed"}` says that syncs fail, not why, so an
 * alert could not tell a key Fivetran refuses from its rate limit, its 5xx or a full disk. Both
 * labels come from the closed sets below: never an error's text or an id.
 */

/** Why a job failed: the Fivetran error that failed its sync, its file, its process, or a bug. */
export const SyncJobFailureReasons = [
  "unauthorized",
  "missing_permission",
  "rate_limited",
  "server_error",
  "transport",
  "invalid_response",
  "unexpected_answer",
  "storage",
  "interrupted",
  "internal"
] as const
export type SyncJobFailureReason = typeof SyncJobFailureReasons[number]

/** Why a job was cancelled: through the API, or by the service's own stop. */
export const SyncJobCancelReasons = ["requested", "shutdown"] as const
export type SyncJobCancelReason = typeof SyncJobCancelReasons[number]

export type SyncJobEnd =
  | { readonly outcome: "succeeded"; readonly reason: "none" }
  | { readonly outcome: "failed"; readonly reason: SyncJobFailureReason }
  | { readonly outcome: "cancelled"; readonly reason: SyncJobCancelReason }

export const succeededEnd: SyncJobEnd = { outcome: "succeeded", reason: "none" }

export const syncJobs = Metric.counter("baton_sync_jobs_total", {
  description: "Sync jobs ended, by outcome (succeeded, failed, cancelled) and reason (why it failed or was cancelled; none)",
  incremental: true
})

const endCounter = (end: SyncJobEnd) =>
  Metric.taggedWithLabels(syncJobs, [MetricLabel.make("outcome", end.outcome), MetricLabel.make("reason", end.reason)])

const allEnds: ReadonlyArray<SyncJobEnd> = [
  succeededEnd,
  ...SyncJobFailureReasons.map((reason) => ({ outcome: "failed", reason }) as const),
  ...SyncJobCancelReasons.map((reason) => ({ outcome: "cancelled", reason }) as const)
]

/**
 * Every outcome and reason at 0 from the start (13 series): Prometheus reads a series that appears
 * at 1 as no increase, so `increase(...) > 0` would miss the first failure of its kind.
 */
export const registerSyncJobSeries: Effect.Effect<void> = Effect.forEach(allEnds, (end) => Metric.value(endCounter(end)), {
  discard: true
})

export const countSyncJobEnd = (end: SyncJobEnd): Effect.Effect<void> => Metric.increment(endCounter(end))

const fivetranReason = (error: FivetranError): SyncJobFailureReason => {
  switch (error._tag) {
    case "Unauthorized":
      // An HTML page's 401 is not Fivetran's: the base URL points elsewhere, the key is not the matter.
      return error.htmlPage === true ? "unexpected_answer" : "unauthorized"
    case "Forbidden":
      return error.htmlPage === true ? "unexpected_answer" : "missing_permission"
    case "RateLimited":
    case "RateLimitWaitTooLong":
      return "rate_limited"
    case "ServerError":
      return "server_error"
    case "Transport":
      return "transport"
    case "InvalidResponse":
      return "invalid_response"
    case "NotFound":
    case "Conflict":
    case "BadRequest":
      return "unexpected_answer"
  }
}

const FivetranErrorTags: ReadonlySet<string> = new Set<FivetranError["_tag"]>([
  "Unauthorized",
  "Forbidden",
  "NotFound",
  "Conflict",
  "BadRequest",
  "RateLimited",
  "RateLimitWaitTooLong",
  "ServerError",
  "InvalidResponse",
  "Transport"
])

const isFivetranError = (value: unknown): value is FivetranError =>
  Predicate.hasProperty(value, "_tag") && typeof value._tag === "string" && FivetranErrorTags.has(value._tag)

/**
 * A failed sync's reason, from what failed it: SyncFailed carries the Fivetran error or the sync
 * file's SinkError as its cause. A defect, or any failure the service has no kind for, is `internal`.
 */
export const failureReasonOf = (cause: Cause.Cause<unknown>): SyncJobFailureReason =>
  Option.match(Cause.failureOption(cause), {
    onNone: () => "internal",
    onSome: (error) =>
      !(error instanceof SyncFailed)
        ? "internal"
        : isFivetranError(error.cause)
        ? fivetranReason(error.cause)
        : Predicate.isTagged(error.cause, "SinkError")
        ? "storage"
        : "internal"
  })
