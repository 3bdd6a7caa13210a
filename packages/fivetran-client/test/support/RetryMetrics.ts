import { Effect, Metric, MetricLabel } from "effect"
import { fivetranRetries, fivetranRetryWaitSeconds } from "../../src/FivetranMetrics.js"

/** Why a retry was made, as the retry metrics label it. */
type RetryReason = "server_error" | "rate_limited"

/** `fivetran_retries_total` of `GET /v1/teams/{id}` for `reason`, process-wide. */
export const teamReadRetries = (reason: RetryReason) =>
  Effect.map(
    Metric.value(Metric.taggedWithLabels(fivetranRetries, [
      MetricLabel.make("method", "GET"),
      MetricLabel.make("route", "/v1/teams/{id}"),
      MetricLabel.make("reason", reason)
    ])),
    (state) => state.count
  )

/** `fivetran_retry_wait_seconds_total` for `reason`, process-wide. */
export const retryWaitSeconds = (reason: RetryReason) =>
  Effect.map(Metric.value(Metric.tagged(fivetranRetryWaitSeconds, "reason", reason)), (state) => state.count)
