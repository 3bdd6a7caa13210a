import { type FivetranError, formatPermission, type Forbidden, swappedHintPrefix } from "@baton-fivetran/fivetran-client"
import { Data } from "effect"

/** A sync that could not complete; `message` says why and what to do (e.g. the missing key permission). */
export class SyncFailed extends Data.TaggedError("SyncFailed")<{
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message() {
    return this.reason
  }
}

/** "TEAM:READ", or a generic phrase when the client could not tell which permission was missing. */
export const missingPermission = (error: Forbidden): string =>
  error.permission === undefined ? "a permission this endpoint needs" : formatPermission(error.permission)

/**
 * Turns a client error on a required collection into a SyncFailed that says what to do: a 403
 * names the missing key permission, a 401 points at the key and secret (and says when they look
 * swapped). Client messages never contain secrets, so they are passed on as they are.
 */
export const syncFailure = (purpose: string) => (error: FivetranError): SyncFailed => {
  // An HTML page's 401 or 403 is not Fivetran's: its message says to check the base URL instead.
  if ((error._tag === "Unauthorized" || error._tag === "Forbidden") && error.htmlPage === true) {
    return new SyncFailed({ reason: `could not ${purpose}: ${error.message}`, cause: error })
  }
  switch (error._tag) {
    case "Forbidden":
      return new SyncFailed({
        reason: `the API key lacks ${missingPermission(error)}, needed to ${purpose} (${error.endpoint} answered 403)`,
        cause: error
      })
    case "Unauthorized":
      return new SyncFailed({
        reason: `Fivetran rejected the API key or secret (401 on ${error.endpoint}); ${
          swappedHintPrefix(error.looksSwapped)
        }check the api-key and api-secret settings`,
        cause: error
      })
    default:
      return new SyncFailed({ reason: `could not ${purpose}: ${error.message}`, cause: error })
  }
}

/** Fivetran's own 403 (not an HTML page's): the key lacks a permission, so an optional part may be skipped. */
export const isMissingPermission = (error: FivetranError): error is Forbidden => error._tag === "Forbidden" && error.htmlPage !== true

/** The warning for a 403 on an optional collection: the sync goes on without it. */
export const optionalSkipped = (error: Forbidden, purpose: string, consequence: string): string =>
  `the API key lacks ${missingPermission(error)}, needed to ${purpose}; ${consequence}`
