import { type RequestTally, withRequestTally } from "@baton-fivetran/fivetran-client"
import { Effect, FiberRef, Option } from "effect"
import { KeyRejected, MissingPermission, RateLimited, Upstream } from "./ProvisioningError.js"

/**
 * Whether an operation's writes may have changed anything in Fivetran, for what an interrupted
 * grant or revoke says. Stopped while it waited out a 429 before its write (on a read, or on the
 * write itself, which Fivetran turned away unmade), the CLI said the change "may or may not" have
 * been made: a person then checked by hand what a repeat would have done safely. Each write call
 * counts its own requests (the client's RequestTally): one sent and not turned away with a 4xx may
 * have acted; none such means nothing was changed.
 */
export interface SentWrites {
  readonly mayHaveActed: Effect.Effect<boolean>
}

/** The write calls of the operation in `withSentWrites`, one tally each (a grant or revoke makes one or two). */
const currentWrites = FiberRef.unsafeMake<Option.Option<Array<RequestTally>>>(Option.none())

/** A provisioning write call, counted in the `withSentWrites` around it (if any); forked fibers inherit it. */
export const watchedWrite = <A, E, R>(write: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  FiberRef.getWith(
    currentWrites,
    Option.match({
      onNone: () => write,
      onSome: (tallies) => withRequestTally((tally) => Effect.zipRight(Effect.sync(() => tallies.push(tally)), write))
    })
  )

/** Runs the operation `use` builds with what its write calls sent, to read when it is interrupted. */
export const withSentWrites = <A, E, R>(use: (sent: SentWrites) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    const tallies: Array<RequestTally> = []
    const mayHaveActed = Effect.suspend(() =>
      Effect.map(Effect.forEach(tallies, (tally) => tally.mayHaveActed), (each) => each.some((acted) => acted))
    )
    return Effect.locally(use({ mayHaveActed }), currentWrites, Option.some(tallies))
  })

/** The failures of an action that leave its caller asking whether anything changed: Fivetran failed or refused on the way. */
type UnsettledFailure = KeyRejected | MissingPermission | RateLimited | Upstream

const isUnsettledFailure = (error: unknown): error is UnsettledFailure =>
  error instanceof KeyRejected || error instanceof MissingPermission || error instanceof RateLimited || error instanceof Upstream

const saidNothingChanged = (error: UnsettledFailure, again: string): UnsettledFailure => {
  const message = `${error.message}; nothing was changed in Fivetran (no write reached it, or Fivetran turned it away); ${again}`
  switch (error._tag) {
    case "KeyRejected":
      return new KeyRejected({ message })
    case "MissingPermission":
      return new MissingPermission({ message })
    case "RateLimited":
      return new RateLimited({
        message,
        ...(error.retry_after_seconds === undefined ? {} : { retry_after_seconds: error.retry_after_seconds })
      })
    case "Upstream":
      return new Upstream({ message })
  }
}

/**
 * An action's failure said with whether it changed anything, as an interruption is: a read that
 * failed before the write (`cannot grant ...: GET /v1/roles: could not reach Fivetran ...`), or a
 * 429 past the wait allowed, left the caller to find out by hand whether the grant was made. With no
 * write that may have acted, the failure says nothing changed; one that may have acted already says
 * what it read back (FateUnknown.ts). `again` says that a repeat is safe, in the caller's words
 * ("running the same command again is safe").
 */
export const sayingWhetherChanged =
  (sent: SentWrites, again: string) => <A, E, R>(action: Effect.Effect<A, E, R>): Effect.Effect<A, E | UnsettledFailure, R> =>
    Effect.catchIf(
      action,
      (error): error is E & UnsettledFailure => isUnsettledFailure(error),
      (error) => Effect.flatMap(sent.mayHaveActed, (acted) => Effect.fail(acted ? error : saidNothingChanged(error, again)))
    )
