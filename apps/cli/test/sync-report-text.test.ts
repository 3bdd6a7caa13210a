import type { SyncProgress, SyncSummary } from "@baton-fivetran/connector-core"
import { assert, describe, it } from "@effect/vitest"
import { consoleSummary, progressLineText, progressText } from "../src/output/SyncReport.js"

/**
 * The console summary quotes text that is not the CLI's own: a warning names a role or a group as
 * Fivetran sent it, the file is the path given. Their control characters are shown as `\u`
 * escapes, as a table and the `error:` line show them, so that none acts on the terminal or
 * passes for a line of the summary.
 */

const summary: SyncSummary = {
  resources: { user: 2 },
  resourceTypes: 1,
  entitlements: 0,
  grants: { direct: 0, derived: 0 },
  requests: 3,
  retries: 0,
  rateLimitWaitMillis: 0,
  retryBackoffMillis: 0,
  rateLimit: null,
  rateLimitWindowSeconds: null,
  rateLimitLowestRemaining: null,
  rateLimitReserve: null,
  repeatBudgetWaitMillis: null,
  warnings: ["group g lists role \"Gone\u001b[2J\nsync complete: fine.c1z\" that GET /v1/roles does not list"],
  warningDetails: [{
    kind: "unknown_role",
    message: "group g lists role \"Gone\u001b[2J\nsync complete: fine.c1z\" that GET /v1/roles does not list",
    count: 1
  }],
  durationMillis: 1200
}

describe("the console summary", () => {
  it("shows a warning's and the file's control characters as \\u escapes", () => {
    assert.deepStrictEqual(consoleSummary(summary, "a\u001b]0;x\u0007.c1z").split("\n"), [
      "sync complete: a\\u001b]0;x\\u0007.c1z",
      "  resources     2 (2 user)",
      "  entitlements  0",
      "  grants        0 (0 direct, 0 derived through teams)",
      "  requests      3 (0 retries; waited 0.0s for the rate limit, 0.0s in retry backoff)",
      "  rate limit    no X-Rate-Limit headers seen",
      "  duration      1.2s",
      "  warnings      1",
      "    - group g lists role \"Gone\\u001b[2J\\u000async complete: fine.c1z\" that GET /v1/roles does not list"
    ])
  })

  it("counts one retry in the singular", () => {
    const requests = (retries: number) =>
      consoleSummary({ ...summary, warnings: [], retries }, "a.c1z").split("\n").find((line) => line.startsWith("  requests"))
    assert.deepStrictEqual([requests(0), requests(1), requests(2)], [
      "  requests      3 (0 retries; waited 0.0s for the rate limit, 0.0s in retry backoff)",
      "  requests      3 (1 retry; waited 0.0s for the rate limit, 0.0s in retry backoff)",
      "  requests      3 (2 retries; waited 0.0s for the rate limit, 0.0s in retry backoff)"
    ])
  })
})

describe("the progress line", () => {
  const waiting: SyncProgress = {
    phase: "teams",
    resources: 6,
    entitlements: 6,
    grants: 0,
    requests: 2,
    waiting: {
      kind: "reserve",
      endpoint: "GET /v1/teams",
      reason: "19 of 20 requests spent this window, 20% kept in reserve",
      until: "2026-12-07T20:13:05.000Z"
    },
    requestsLeft: 2,
    budgetWaitMillis: 15_000
  }
  const now = Date.parse("2026-12-07T20:12:51.000Z")

  it("on a terminal puts a wait first: an 80-column line shows it whole (at the end, it was cut off)", () => {
    const line = progressLineText(waiting, now)
    assert.strictEqual(
      line,
      "syncing teams: waiting 14.0s for the rate limit (until 20:13:05Z); 6 resources, 6 entitlements, 0 grants, " +
        "2 requests; ~2 requests left, ~15.0s at the current budget; 19 of 20 requests spent this window, 20% kept in reserve"
    )
    assert.include(line.slice(0, 79), "waiting 14.0s for the rate limit (until 20:13:05Z)")
  })

  it("in the log keeps the counts first and the wait with its reason after them; without a wait, both are the same", () => {
    assert.strictEqual(
      progressText(waiting, now),
      "syncing teams: 6 resources, 6 entitlements, 0 grants, 2 requests; ~2 requests left, ~15.0s at the current budget; " +
        "waiting 14.0s for the rate limit (until 20:13:05Z): 19 of 20 requests spent this window, 20% kept in reserve"
    )
    const moving = { ...waiting, waiting: null }
    assert.strictEqual(progressLineText(moving, now), progressText(moving, now))
  })
})
