import { Schema } from "effect"

/** What a finished sync did. A Schema so the apps can serve and store it as JSON. */
export const SyncSummary = Schema.Struct({
  /** Resources per resource type id (`user`, `role`, `group`, `team`, `connection`). */
  resources: Schema.Record({ key: Schema.String, value: Schema.Number }),
  resourceTypes: Schema.Number,
  entitlements: Schema.Number,
  grants: Schema.Struct({ direct: Schema.Number, derived: Schema.Number }),
  requests: Schema.Number,
  retries: Schema.Number,
  rateLimitWaitMillis: Schema.Number,
  warnings: Schema.Array(Schema.String),
  durationMillis: Schema.Number
})
export type SyncSummary = typeof SyncSummary.Type
