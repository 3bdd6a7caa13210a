import { Effect, Metric, MetricLabel } from "effect"
import type { FivetranError } from "./FivetranError.js"

/**
 * The client's process-wide metrics (Effect `Metric`s, so the apps export them over OTLP and as
 * Prometheus text). Labels are low-cardinality: the route template (`/v1/users/{id}`), never a
 * path with ids in it.
 */

/**
 * Every HTTP exchange with Fivetran, retries included; `status` is the HTTP status, `transport`
 * without an answer, or `invalid_response` for a 2xx whose body could not be read.
 */
export const fivetranRequests = Metric.counter("fivetran_requests_total", {
  description: "HTTP exchanges with the Fivetran API, by method, route template and status",
  incremental: true
})

/**
 * Attempts repeated after a retryable failure, counted as each is sent (a call abandoned during its
 * backoff made no retry); `reason`, of the failure repeated, is `rate_limited`, `server_error` or `transport`.
 */
export const fivetranRetries = Metric.counter("fivetran_retries_total", {
  description: "Fivetran requests repeated after a retryable failure, by method, route template and reason",
  incremental: true
})

/** Time slept before retries, counted as each wait ends; `reason="rate_limited"` is the time spent waiting on 429s. */
export const fivetranRetryWaitSeconds = Metric.counter("fivetran_retry_wait_seconds_total", {
  description: "Seconds slept before retrying Fivetran requests (Retry-After or backoff), by reason",
  incremental: true
})

/**
 * Time requests were held back to keep the `--rate-limit-reserve` for other tools, counted as each
 * wait ends. Each request's wait counts, so requests held back together add up (the sync summary's
 * waited time counts once).
 */
export const fivetranReserveWaitSeconds = Metric.counter("fivetran_reserve_wait_seconds_total", {
  description: "Seconds Fivetran requests were held back to keep the rate-limit reserve for other tools",
  incremental: true
})

/** The latest `X-Rate-Limit-Remaining` Fivetran sent: what is left of the key's request budget. */
export const fivetranRateLimitRemaining = Metric.gauge("fivetran_rate_limit_remaining", {
  description: "The latest X-Rate-Limit-Remaining the Fivetran API reported"
})

/**
 * The latest `X-Rate-Limit` Fivetran sent: the account's requests per window (the hour), so that an
 * alert reads the share left, `fivetran_rate_limit_remaining / fivetran_rate_limit_limit`, whatever
 * the account's plan (20,000 an hour paid, 500 on a trial). Absent until an answer carries one.
 */
export const fivetranRateLimitLimit = Metric.gauge("fivetran_rate_limit_limit", {
  description: "The latest X-Rate-Limit the Fivetran API reported: the account's requests per window"
})

export const RetryReasons = ["rate_limited", "server_error", "transport"] as const
export type RetryReason = typeof RetryReasons[number]

/**
 * The wait counters at 0 from the start (one per reason, and the reserve's), so that an alert's
 * `rate(...)` sees the first wait: a series that appears with it has no earlier sample to rise from.
 */
export const registerWaitSeries: Effect.Effect<void> = Effect.zipRight(
  Effect.forEach(RetryReasons, (reason) => Metric.value(Metric.tagged(fivetranRetryWaitSeconds, "reason", reason)), { discard: true }),
  Metric.value(fivetranReserveWaitSeconds)
)

export const retryReason = (error: FivetranError): RetryReason =>
  error._tag === "RateLimited" ? "rate_limited" : error._tag === "ServerError" ? "server_error" : "transport"

/**
 * The request counter of each (method, route, status), built once: every request is counted, and
 * a labelled metric built per call cost its hashing every time.
 */
const exchangeCounters = new Map<string, Metric.Metric.Counter<number>>()

/** An exchange as the request counter's `status` label files it (`fivetranRequests`). */
export type ExchangeOutcome = number | "transport" | "invalid_response"

/**
 * Counts one exchange now. `labels` are the fiber's metric labels, which `Metric.increment` would
 * add: the client records each exchange's metrics, span attributes and debug line in one
 * synchronous step, as it runs for every request.
 */
export const countExchange = (
  method: string,
  route: string,
  status: ExchangeOutcome,
  labels: ReadonlyArray<MetricLabel.MetricLabel>
): void => {
  const key = `${method} ${route} ${status}`
  let counter = exchangeCounters.get(key)
  if (counter === undefined) {
    counter = Metric.taggedWithLabels(fivetranRequests, [
      MetricLabel.make("method", method),
      MetricLabel.make("route", route),
      MetricLabel.make("status", String(status))
    ])
    exchangeCounters.set(key, counter)
  }
  counter.unsafeUpdate(1, labels)
}

export const recordRetry = (method: string, route: string, error: FivetranError) =>
  Metric.increment(Metric.taggedWithLabels(fivetranRetries, [
    MetricLabel.make("method", method),
    MetricLabel.make("route", route),
    MetricLabel.make("reason", retryReason(error))
  ]))

/** Counts a retry's wait once it is over (or abandoned), so only the time actually slept. */
export const recordRetryWait = (error: FivetranError, waitedSeconds: number) =>
  Metric.incrementBy(Metric.tagged(fivetranRetryWaitSeconds, "reason", retryReason(error)), waitedSeconds)

/** Sets the remaining budget gauge now; `labels` as for `countExchange`. */
export const setRateLimitRemaining = (remaining: number, labels: ReadonlyArray<MetricLabel.MetricLabel>): void =>
  fivetranRateLimitRemaining.unsafeUpdate(remaining, labels)

/** Sets the budget's limit gauge now; `labels` as for `countExchange`. */
export const setRateLimitLimit = (limit: number, labels: ReadonlyArray<MetricLabel.MetricLabel>): void =>
  fivetranRateLimitLimit.unsafeUpdate(limit, labels)
