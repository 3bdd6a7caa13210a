import { withConsoleText } from "@baton-fivetran/fivetran-client/console-text"
import { answeredBeforeBreaking, type FivetranError } from "@baton-fivetran/fivetran-client"
import { Effect } from "effect"
import { watchedWrite } from "./SentWrites.js"

/**
 * A write whose answer's body the caller does not need: made once Fivetran answered 2xx, even if
 * the answer then broke off (its body cut in transit, the connection reset or the deadline passed
 * after the status line: `answeredBeforeBreaking`). The client does not repeat such a write
 * (RetryPolicy), whose repeat would report this very change as found done. Counted as a write the
 * operation sent (SentWrites.ts).
 */
export const acceptedWrite = <A, R>(write: Effect.Effect<A, FivetranError, R>): Effect.Effect<void, FivetranError, R> =>
  watchedWrite(write).pipe(
    Effect.asVoid,
    Effect.catchIf(
      answeredBeforeBreaking,
      (error) =>
        Effect.logWarning("the write's answer broke after Fivetran answered 2xx: the write was made").pipe(
          Effect.annotateLogs({ error: error.message }),
          withConsoleText(`${error.message}; Fivetran answered 2xx, so the write was made`, ["error"])
        )
    )
  )
