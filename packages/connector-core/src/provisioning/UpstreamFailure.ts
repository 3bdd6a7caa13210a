import type { FivetranError } from "@baton-fivetran/fivetran-client"
import { Conflict, KeyRejected, MissingPermission, NotFound, RateLimited, Upstream } from "./ProvisioningError.js"

/** When a request the rate limit stopped may go again, in whole seconds; unknown without a Retry-After. */
const retryAfter = (seconds: number | undefined) => seconds === undefined ? {} : { retry_after_seconds: Math.max(1, Math.ceil(seconds)) }

/**
 * A client failure during `action` (e.g. "grant group:G:View Destination to user:U"): a 401 is the
 * key rejected, a 403 names the key permission to add (unless an HTML page answered either: some
 * proxy's, which says nothing of the key, and is Upstream), a 409 is Fivetran's refusal in the
 * account's current state, the rate limit says when to try again, anything else carries the client's
 * message (which holds no secrets).
 */
export const upstreamFailure =
  (action: string) => (error: FivetranError): KeyRejected | MissingPermission | NotFound | Conflict | RateLimited | Upstream => {
    const message = `cannot ${action}: ${error.message}`
    switch (error._tag) {
      case "RateLimitWaitTooLong":
        // No wait frees a request when the reserve is the whole limit: a setting to fix, not a wait.
        return Number.isFinite(error.neededMillis)
          ? new RateLimited({ message, ...retryAfter(error.neededMillis / 1000) })
          : new Upstream({ message })
      case "RateLimited":
        return new RateLimited({ message, ...retryAfter(error.retryAfterSeconds) })
      case "Unauthorized":
        return error.htmlPage === true ? new Upstream({ message }) : new KeyRejected({ message })
      case "Forbidden":
        return error.htmlPage === true ? new Upstream({ message }) : new MissingPermission({ message })
      case "NotFound":
        return new NotFound({ message })
      case "Conflict":
        return new Conflict({ message })
      default:
        return new Upstream({ message })
    }
  }
