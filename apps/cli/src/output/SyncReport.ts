import type { SyncProgress, SyncSummary } from "@baton-fivetran/connector-core"
import type { LogFormat } from "../settings/Settings.js"

/** What a finished sync reports on stderr: a few aligned lines, or one JSON object. */

const seconds = (millis: number) => `${(millis / 1000).toFixed(1)}s`

export const progressText = (progress: SyncProgress) =>
  `syncing ${progress.phase}: ${progress.resources} resources, ${progress.entitlements} entitlements, ` +
  `${progress.grants} grants, ${progress.requests} requests`

const consoleSummary = (summary: SyncSummary, file: string) => {
  const perType = Object.entries(summary.resources)
    .map(([type, count]) => `${count} ${type}`)
    .join(", ")
  const resourceTotal = Object.values(summary.resources).reduce((a, b) => a + b, 0)
  const lines = [
    `sync complete: ${file}`,
    `  resources     ${resourceTotal} (${perType})`,
    `  entitlements  ${summary.entitlements}`,
    `  grants        ${summary.grants.direct + summary.grants.derived} ` +
    `(${summary.grants.direct} direct, ${summary.grants.derived} derived through teams)`,
    `  requests      ${summary.requests} (${summary.retries} retries, ${seconds(summary.rateLimitWaitMillis)} waiting on rate limits)`,
    `  duration      ${seconds(summary.durationMillis)}`
  ]
  return [
    ...lines,
    ...(summary.warnings.length === 0 ? [] : [`  warnings      ${summary.warnings.length}`]),
    ...summary.warnings.map((warning) => `    - ${warning}`)
  ].join("\n")
}

const jsonSummary = (summary: SyncSummary, file: string) =>
  JSON.stringify({
    level: "info",
    ts: Date.now() / 1000,
    msg: "sync complete",
    file,
    resources: summary.resources,
    resourceTypes: summary.resourceTypes,
    entitlements: summary.entitlements,
    grants: summary.grants,
    requests: summary.requests,
    retries: summary.retries,
    rateLimitWaitMillis: summary.rateLimitWaitMillis,
    durationMillis: summary.durationMillis,
    warnings: summary.warnings
  })

export const summaryText = (summary: SyncSummary, file: string, format: LogFormat) =>
  format === "json" ? jsonSummary(summary, file) : consoleSummary(summary, file)
