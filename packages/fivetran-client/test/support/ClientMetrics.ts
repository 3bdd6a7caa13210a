import { Effect, Metric, MetricLabel } from "effect"
import { fivetranRequests, fivetranRetries, fivetranRetryWaitSeconds } from "../../src/FivetranMetrics.js"

/** Why a retry was made, as the retry metrics label it. */
type RetryReason = "server_error" | "rate_limited" | "transport"

/** The labels of `GET /v1/teams/{id}` (what `getTeam` sends), then `label` with `value`. */
const teamReadLabels = (label: string, value: string) => [
  MetricLabel.make("method", "GET"),
  MetricLabel.make("route", "/v1/teams/{id}"),
  MetricLabel.make(label, value)
]

/** `fivetran_requests_total` of `GET /v1/teams/{id}` answered `status`, process-wide. */
export const teamReadRequests = (status: string) =>
  Effect.map(Metric.value(Metric.taggedWithLabels(fivetranRequests, teamReadLabels("status", status))), (state) => state.count)

/** `fivetran_retries_total` of `GET /v1/teams/{id}` for `reason`, process-wide. */
export const teamReadRetries = (reason: RetryReason) =>
  Effect.map(Metric.value(Metric.taggedWithLabels(fivetranRetries, teamReadLabels("reason", reason))), (state) => state.count)

/** `fivetran_retry_wait_seconds_total` for `reason`, process-wide. */
export const retryWaitSeconds = (reason: RetryReason) =>
  Effect.map(Metric.value(Metric.tagged(fivetranRetryWaitSeconds, "reason", reason)), (state) => state.count)
