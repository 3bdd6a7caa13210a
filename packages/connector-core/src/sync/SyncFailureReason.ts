import { type FivetranError, isFivetranError } from "@baton-fivetran/fivetran-client"
import { Cause, Option } from "effect"
import { SinkError } from "../model/SyncSink.js"
import { SyncFailed } from "./SyncFailure.js"

/**
 * Why a sync failed, as one word from a closed set: the HTTP service's `baton_sync_jobs_total`
 * reason and the `reason` field of both apps' failed-sync log lines, so that one alert or log query
 * reads the service and the CLI's CronJob alike. Never an error's text or an id.
 *
 * `interrupted` is the service's alone (a job its killed process left, ended by the next start):
 * a failure's cause never classifies as it. A process stopped by a signal ends its sync as stopped,
 * not failed: see SyncStopReasons.
 */
export const SyncFailureReasons = [
  "unauthorized",
  "missing_permission",
  "rate_limited",
  "server_error",
  "transport",
  "invalid_response",
  "unexpected_answer",
  "storage",
  "interrupted",
  "internal"
] as const
export type SyncFailureReason = typeof SyncFailureReasons[number]

/**
 * Why a sync was stopped before it finished, its file not kept: the HTTP service's cancelled jobs
 * (their `baton_sync_jobs_total` reason and `sync job cancelled` line) and the CLI's interrupted
 * sync line. `requested`: cancelled through the service's API. `shutdown`: the process was told to
 * stop (the service's SIGTERM; the CLI's SIGINT, SIGTERM or SIGHUP), and stopped the sync itself.
 */
export const SyncStopReasons = ["requested", "shutdown"] as const
export type SyncStopReason = typeof SyncStopReasons[number]

const fivetranReason = (error: FivetranError): SyncFailureReason => {
  switch (error._tag) {
    case "Unauthorized":
      // An HTML page's 401 is not Fivetran's: the base URL points elsewhere, the key is not the matter.
      return error.htmlPage === true ? "unexpected_answer" : "unauthorized"
    case "Forbidden":
      return error.htmlPage === true ? "unexpected_answer" : "missing_permission"
    case "RateLimited":
    case "RateLimitWaitTooLong":
      return "rate_limited"
    case "ServerError":
      return "server_error"
    case "Transport":
      return "transport"
    case "InvalidResponse":
      return "invalid_response"
    case "NotFound":
    case "Conflict":
    case "BadRequest":
      return "unexpected_answer"
  }
}

/** The Fivetran error or the sync file's SinkError, bare or as a SyncFailed's cause. */
const errorReason = (error: unknown): SyncFailureReason =>
  isFivetranError(error)
    ? fivetranReason(error)
    : error instanceof SinkError
    // An image without its native add-ons is not the volume owner's to mend.
    ? error.notInstalled === true ? "internal" : "storage"
    : error instanceof SyncFailed
    ? errorReason(error.cause)
    : "internal"

/**
 * A failed sync's reason, from what failed it: the engine's SyncFailed carries the Fivetran error
 * or the sync file's SinkError as its cause; the sink's own layer (its file not made) fails with the
 * SinkError itself. A defect, or any failure with no kind here, is `internal`.
 */
export const syncFailureReasonOf = (cause: Cause.Cause<unknown>): SyncFailureReason =>
  Option.match(Cause.failureOption(cause), { onNone: () => "internal", onSome: errorReason })
