import { Schema } from "effect"
import { nullByDefault } from "./SyncOptions.js"
import { SyncWarningDetail } from "./SyncWarning.js"

/** What a finished sync did. A Schema so the apps can serve and store it as JSON. */
export const SyncSummary = Schema.Struct({
  /** Resources per resource type id (`user`, `role`, `group`, `team`, `connection`). */
  resources: Schema.Record({ key: Schema.String, value: Schema.Number }),
  resourceTypes: Schema.Number,
  entitlements: Schema.Number,
  grants: Schema.Struct({ direct: Schema.Number, derived: Schema.Number }),
  /** The sync's own Fivetran requests, every attempt (not the process's other requests meanwhile). */
  requests: Schema.Number,
  /** Repeated attempts, counted as each is sent. */
  retries: Schema.Number,
  /** Time during which the sync's requests waited for the rate limit: 429s and the reserve (concurrent waits once). */
  rateLimitWaitMillis: Schema.Number,
  /**
   * Time during which they waited to retry a 5xx or a transport failure (concurrent waits once);
   * null in a record from a build that counted it in `rateLimitWaitMillis`.
   */
  retryBackoffMillis: nullByDefault(Schema.Number),
  /** `X-Rate-Limit`, the account's requests per hour; null when Fivetran sent none. */
  rateLimit: nullByDefault(Schema.Number),
  /**
   * The rolling window `rateLimit` counts over, in seconds: 3600 from Fivetran (an hour), another
   * only where a server announced one (the sandbox's `--rate-window-seconds`); null with `rateLimit`.
   */
  rateLimitWindowSeconds: nullByDefault(Schema.Number),
  /** The lowest `X-Rate-Limit-Remaining` seen during the sync. */
  rateLimitLowestRemaining: nullByDefault(Schema.Number),
  /** The requests kept for the account's other tools (`rate-limit-reserve` percent of the limit). */
  rateLimitReserve: nullByDefault(Schema.Number),
  /** The time a repeat of this sync would add waiting for the budget, estimated at its end (0: it fits now). */
  repeatBudgetWaitMillis: nullByDefault(Schema.Number),
  /** Each warning's sentence, with the count of those raised per grant, role or user. */
  warnings: Schema.Array(Schema.String),
  /**
   * The same warnings as data, one each in the same order: kind, sentence without the count, and
   * count. Null in a record from a build before it (its warnings are only in `warnings`): an empty
   * list there would say "no warnings" beside sentences that say otherwise.
   */
  warningDetails: nullByDefault(Schema.Array(SyncWarningDetail)),
  durationMillis: Schema.Number
})
export type SyncSummary = typeof SyncSummary.Type
