import { type RequestTally, withRequestTally } from "@baton-fivetran/fivetran-client"
import { Effect, FiberRef, Option } from "effect"

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
