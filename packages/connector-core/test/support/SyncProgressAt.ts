import type { SyncProgress } from "../../src/index.js"

/**
 * A sync's progress after `requests` requests, in the users phase: the apps' progress-log tests
 * (apps/cli, apps/http) import it by relative path, as the CLI's proxy test imports the client's
 * CONNECT proxy.
 */
export const syncProgressAt = (requests: number): SyncProgress => ({
  phase: "users",
  resources: requests * 2,
  entitlements: 0,
  grants: requests * 3,
  requests,
  waiting: null,
  requestsLeft: null,
  budgetWaitMillis: null
})
