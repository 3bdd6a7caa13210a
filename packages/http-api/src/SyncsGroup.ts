import { nullByDefault, SyncProgress, SyncSummary, SyncWait, SyncWarningDetail } from "@baton-fivetran/connector-core"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { flow, Schema } from "effect"
import { Authentication } from "./Authentication.js"
import { NotFoundBody, SyncInProgressBody } from "./Errors.js"
import { SyncId, SyncIdPath } from "./Ids.js"
import { responseHeaders, withBodilessResponse } from "./ResponseHeaders.js"

/** `waiting_for_rate_limit`: running, but held back by a 429 or the rate-limit reserve until `waiting.until`. */
export const SyncStatus = Schema.Literal("queued", "running", "waiting_for_rate_limit", "succeeded", "failed", "cancelled")
export type SyncStatus = typeof SyncStatus.Type

/**
 * A count, or a time in whole milliseconds or seconds: the sync counts them in whole numbers (waits
 * rounded, budgets rounded up). connector-core's schemas say `number`, which the OpenAPI document
 * gave as `type: number`, and a client generated from it held them as floats (openapi-generator's
 * and oapi-codegen's Go clients as float32, exact only up to 16,777,216).
 */
const Whole = Schema.Int

/** A size in bytes: `format: int64`, so that a generated client does not hold it in 32 bits. */
const Bytes = Schema.Int.annotations({ jsonSchema: { type: "integer", format: "int64" } })

/**
 * The service sends every field of a job, its progress and its summary, null when there is nothing
 * to say; the fields added later (`nullByDefault`) are optional only so that the job records of
 * older builds still read. Documented as optional, a generated client typed them as absent-able.
 */
const everyFieldSent = (fields: Schema.Struct.Fields) => ({ jsonSchema: { required: Object.keys(fields) } })

const syncProgressFields = {
  ...SyncProgress.fields,
  resources: Whole,
  entitlements: Whole,
  grants: Whole,
  requests: Whole,
  requestsLeft: nullByDefault(Whole),
  budgetWaitMillis: nullByDefault(Whole)
}

/** connector-core's SyncProgress, as the service sends it. */
export const SyncProgressBody = Schema.Struct(syncProgressFields).annotations({
  identifier: "SyncProgress",
  ...everyFieldSent(syncProgressFields)
})

/** connector-core's SyncWarningDetail, as the service sends it: its `kind` an enum in the document. */
export const SyncWarningDetailBody = Schema.Struct({ ...SyncWarningDetail.fields, count: Whole }).annotations({
  identifier: "SyncWarningDetail"
})

const syncSummaryFields = {
  ...SyncSummary.fields,
  resources: Schema.Record({ key: Schema.String, value: Whole }),
  resourceTypes: Whole,
  entitlements: Whole,
  grants: Schema.Struct({ direct: Whole, derived: Whole }),
  requests: Whole,
  retries: Whole,
  rateLimitWaitMillis: Whole,
  retryBackoffMillis: nullByDefault(Whole),
  rateLimit: nullByDefault(Whole),
  rateLimitWindowSeconds: nullByDefault(Whole),
  rateLimitLowestRemaining: nullByDefault(Whole),
  rateLimitReserve: nullByDefault(Whole),
  repeatBudgetWaitMillis: nullByDefault(Whole),
  warningDetails: nullByDefault(Schema.Array(SyncWarningDetailBody)),
  durationMillis: Whole
}

/** connector-core's SyncSummary, as the service sends it. */
export const SyncSummaryBody = Schema.Struct(syncSummaryFields).annotations({
  identifier: "SyncSummary",
  ...everyFieldSent(syncSummaryFields)
})

const syncJobFields = {
  id: SyncId,
  status: SyncStatus,
  created_at: Schema.String,
  started_at: Schema.NullOr(Schema.String),
  finished_at: Schema.NullOr(Schema.String),
  sync_connections: Schema.Boolean,
  progress: Schema.NullOr(SyncProgressBody),
  /** The wait in progress (a 429, the reserve, or a retry's backoff over 2 s shows here too), with `until`. */
  waiting: nullByDefault(SyncWait),
  summary: Schema.NullOr(SyncSummaryBody),
  error: Schema.NullOr(Schema.String),
  /** Size of the kept `.c1z`, or null when there is none (not finished, failed, or pruned). */
  file_bytes: Schema.NullOr(Bytes)
}

export const SyncJob = Schema.Struct(syncJobFields).annotations({ identifier: "SyncJob", ...everyFieldSent(syncJobFields) })
export type SyncJob = typeof SyncJob.Type

/** `GET /v1/schedule`; every field null when the service runs without `--sync-every`. */
export const SyncScheduleView = Schema.Struct({
  /** Not always whole: `--sync-every 1m500ms` is 60.5. */
  every_seconds: Schema.NullOr(Schema.Number),
  next_run_at: Schema.NullOr(Schema.String),
  /** Why the next run is later than the interval (the rate-limit budget would not fit the sync). */
  delayed: Schema.NullOr(Schema.String),
  /**
   * The job the last scheduled run started (after a restart, the succeeded sync the schedule goes on
   * from, until its next run); once retention has deleted it, as it ended, with `file_bytes` null.
   */
  last: Schema.NullOr(SyncJob),
  /** Why the last scheduled run started nothing (a sync was already running). */
  last_skipped: Schema.NullOr(Schema.String)
}).annotations({ identifier: "SyncSchedule" })

export class SyncsGroup extends HttpApiGroup.make("syncs")
  .add(
    HttpApiEndpoint.post("start", "/v1/syncs")
      // The status given apart (`{ status: 202 }`) re-annotates the schema without its identifier: the document
      // then held a copy of SyncJob, which a generated client typed apart from the job of every other answer.
      .addSuccess(SyncJob.annotations(HttpApiSchema.annotations({ identifier: "SyncJob", status: 202 })))
      .addError(SyncInProgressBody)
      .annotate(OpenApi.Description, "Starts a sync. One runs at a time: while one runs, the answer is 409 with its id.")
  )
  .add(
    HttpApiEndpoint.get("list", "/v1/syncs")
      .addSuccess(Schema.Struct({ items: Schema.Array(SyncJob) }))
      .annotate(OpenApi.Description, "Known sync jobs, newest first.")
  )
  .add(
    HttpApiEndpoint.get("schedule", "/v1/schedule")
      .addSuccess(SyncScheduleView)
      .annotate(OpenApi.Description, "The --sync-every schedule: the next run, why it is delayed, and the last scheduled job.")
  )
  .add(
    HttpApiEndpoint.get("get", "/v1/syncs/:id")
      .setPath(SyncIdPath)
      .addSuccess(SyncJob)
      .addError(NotFoundBody)
      .annotate(OpenApi.Description, "One sync job: its status, progress while it runs, summary or error once done.")
  )
  .add(
    HttpApiEndpoint.post("cancel", "/v1/syncs/:id/cancel")
      .setPath(SyncIdPath)
      .addSuccess(SyncJob)
      .addError(NotFoundBody)
      .annotate(
        OpenApi.Description,
        "Cancels a queued or running sync (no file is kept). A finished job, or one whose file was complete when the cancel came, is returned as is."
      )
  )
  .add(
    HttpApiEndpoint.get("file", "/v1/syncs/:id/file")
      .setPath(SyncIdPath)
      .addSuccess(HttpApiSchema.Uint8Array({ contentType: "application/octet-stream" }))
      .addError(NotFoundBody)
      .annotate(
        OpenApi.Transform,
        flow(
          withBodilessResponse(
            304,
            "Not modified: the file has the ETag sent in If-None-Match, or (without it) is no newer than If-Modified-Since"
          ),
          responseHeaders({ 200: ["ETag", "Last-Modified", "Content-Disposition"], 304: ["ETag", "Last-Modified"] })
        )
      )
      .annotate(
        OpenApi.Description,
        "The sync's `.c1z` file, streamed, with an `ETag`; asked with that ETag in `If-None-Match`, or its `Last-Modified` in `If-Modified-Since`, the answer is 304 without a body."
      )
  )
  .middleware(Authentication)
  .annotate(OpenApi.Title, "Sync jobs")
{}
