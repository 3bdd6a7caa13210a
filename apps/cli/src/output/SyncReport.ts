import type { SyncProgress, SyncSummary } from "@baton-fivetran/connector-core"
import { formatWait } from "@baton-fivetran/fivetran-client/WaitDuration"
import { shownText } from "@baton-fivetran/fivetran-client/shown-text"
import { withThousands } from "@baton-fivetran/fivetran-client/thousands"

/** What a finished sync reports on stderr: a few aligned lines, or the fields of one JSON log line. */

const seconds = (millis: number) => `${(millis / 1000).toFixed(1)}s`

/** `; ~1,234 requests left, ~12m at the current budget` while the estimate is known. */
const estimateText = (progress: SyncProgress) => {
  if (progress.requestsLeft === null || progress.phase === "done") return ""
  const budget = progress.budgetWaitMillis === null || progress.budgetWaitMillis === 0
    ? ""
    : `, ~${formatWait(progress.budgetWaitMillis)} at the current budget`
  return `; ~${withThousands(progress.requestsLeft)} requests left${budget}`
}

/** `waiting 51m 21s for the rate limit (until 13:04:05Z)` while a request waits. */
const waitingText = (waiting: NonNullable<SyncProgress["waiting"]>, nowMillis: number) => {
  const left = Math.max(0, Date.parse(waiting.until) - nowMillis)
  const what = waiting.kind === "retry" ? "before retrying" : "for the rate limit"
  return `waiting ${formatWait(left)} ${what} (until ${waiting.until.slice(11, 19)}Z)`
}

const countsText = (progress: SyncProgress) =>
  `${progress.resources} resources, ${progress.entitlements} entitlements, ${progress.grants} grants, ${progress.requests} requests` +
  estimateText(progress)

/** The progress log line: the counts, then the wait in progress if any, with its reason. */
export const progressText = (progress: SyncProgress, nowMillis: number) =>
  `syncing ${progress.phase}: ${countsText(progress)}${
    progress.waiting === null ? "" : `; ${waitingText(progress.waiting, nowMillis)}: ${progress.waiting.reason}`
  }`

/**
 * The terminal's progress line, cut to its width: a wait comes first, its reason last. At the
 * end of the line, the wait the README says the line shows was cut off at 80 and 120 columns.
 */
export const progressLineText = (progress: SyncProgress, nowMillis: number) =>
  progress.waiting === null
    ? progressText(progress, nowMillis)
    : `syncing ${progress.phase}: ${waitingText(progress.waiting, nowMillis)}; ${countsText(progress)}; ${progress.waiting.reason}`

/**
 * `20,000/h, lowest remaining 3,990 during the sync, 4,000 kept in reserve; a repeat sync fits the
 * budget now`: the lowest is the sync's, the repeat is now, when the window may have moved on.
 */
const rateLimitText = (summary: SyncSummary) => {
  if (summary.rateLimit === null) return "no X-Rate-Limit headers seen"
  const lowest = summary.rateLimitLowestRemaining === null
    ? ""
    : `, lowest remaining ${withThousands(summary.rateLimitLowestRemaining)} during the sync`
  const reserve = summary.rateLimitReserve === null ? "" : `, ${withThousands(summary.rateLimitReserve)} kept in reserve`
  const repeat = summary.repeatBudgetWaitMillis === null
    ? ""
    : summary.repeatBudgetWaitMillis === 0
    ? "; a repeat sync fits the budget now"
    : `; a repeat sync now would wait ~${formatWait(summary.repeatBudgetWaitMillis)} for the budget`
  // Fivetran's window is the hour; a sandbox may announce a shorter one.
  const window = summary.rateLimitWindowSeconds === null || summary.rateLimitWindowSeconds === 3600
    ? "h"
    : `${summary.rateLimitWindowSeconds}s`
  return `${withThousands(summary.rateLimit)}/${window}${lowest}${reserve}${repeat}`
}

/** `waited 1.0s for the rate limit, 13.5s in retry backoff`: a backoff on 5xx is not the rate limit. */
const waitsText = (summary: SyncSummary) =>
  `waited ${seconds(summary.rateLimitWaitMillis)} for the rate limit, ${seconds(summary.retryBackoffMillis ?? 0)} in retry backoff`

const resourceTotal = (summary: SyncSummary) => Object.values(summary.resources).reduce((a, b) => a + b, 0)

export const consoleSummary = (summary: SyncSummary, file: string) => {
  const perType = Object.entries(summary.resources)
    .map(([type, count]) => `${count} ${type}`)
    .join(", ")
  const lines = [
    `sync complete: ${shownText(file)}`,
    `  resources     ${resourceTotal(summary)} (${perType})`,
    `  entitlements  ${summary.entitlements}`,
    `  grants        ${summary.grants.direct + summary.grants.derived} ` +
    `(${summary.grants.direct} direct, ${summary.grants.derived} derived through teams)`,
    `  requests      ${summary.requests} (${summary.retries} ${summary.retries === 1 ? "retry" : "retries"}; ${waitsText(summary)})`,
    `  rate limit    ${rateLimitText(summary)}`,
    `  duration      ${seconds(summary.durationMillis)}`
  ]
  return [
    ...lines,
    ...(summary.warnings.length === 0 ? [] : [`  warnings      ${summary.warnings.length}`]),
    // A warning quotes Fivetran's data (an unknown role's name).
    ...summary.warnings.map((warning) => `    - ${shownText(warning)}`)
  ].join("\n")
}

/**
 * The `sync complete` log line's fields: the --summary-file's values, named as every log field is,
 * in snake case with the unit in the name (`duration_ms`, as the service's `sync job succeeded`).
 * The summary file keeps its own names (`durationMillis`): it is a file format, not a log line.
 *
 * A name has one JSON type on every line of both apps: `resources`, `grants` and `warnings` are
 * counts, as on `wrote the sync file` and the service's job lines, and what the summary holds
 * besides has names of its own. A log index that maps a field by its first type (Elasticsearch,
 * OpenSearch) dropped the whole line when the CLI's gave an object or a list there.
 */
export const summaryFields = (summary: SyncSummary, file: string) => ({
  file,
  resources: resourceTotal(summary),
  resources_by_type: summary.resources,
  resource_types: summary.resourceTypes,
  entitlements: summary.entitlements,
  grants: summary.grants.direct + summary.grants.derived,
  grants_direct: summary.grants.direct,
  grants_derived: summary.grants.derived,
  requests: summary.requests,
  retries: summary.retries,
  rate_limit_wait_ms: summary.rateLimitWaitMillis,
  retry_backoff_ms: summary.retryBackoffMillis,
  rate_limit: summary.rateLimit,
  rate_limit_window_seconds: summary.rateLimitWindowSeconds,
  rate_limit_lowest_remaining: summary.rateLimitLowestRemaining,
  rate_limit_reserve: summary.rateLimitReserve,
  repeat_budget_wait_ms: summary.repeatBudgetWaitMillis,
  duration_ms: summary.durationMillis,
  warnings: summary.warnings.length,
  warning_messages: summary.warnings
})
