import type { FivetranError, InvalidResponse } from "@baton-fivetran/fivetran-client"
import { Effect } from "effect"

/**
 * Fivetran answered a write with 2xx, and its body was cut off in transit: the write was made. Only
 * a 2xx body is decoded, so a cut-short InvalidResponse always is one; the client does not repeat
 * such a write (RetryPolicy), whose repeat would report this very change as found done.
 */
export const isAcceptedButCutShort = (error: FivetranError): error is InvalidResponse =>
  error._tag === "InvalidResponse" && error.cutShort === true

/** A write whose answer's body the caller does not need: made once Fivetran answered 2xx, even with the body cut short. */
export const acceptedWrite = <A, R>(write: Effect.Effect<A, FivetranError, R>): Effect.Effect<void, FivetranError, R> =>
  write.pipe(
    Effect.asVoid,
    Effect.catchIf(
      isAcceptedButCutShort,
      (error) => Effect.logWarning(`${error.message}; Fivetran answered 2xx, so the write was made`)
    )
  )
