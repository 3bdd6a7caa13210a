import { Deferred, Effect, type Exit } from "effect"

/**
 * Identical provisioning requests that arrive while one is in flight (a client retrying, or many
 * clients granting the same access at once) share that one's upstream call and its answer instead
 * of each checking and writing: exactly one write reaches Fivetran. The first request runs the
 * call to its end even if its client goes away, so the others still get the answer; entries are
 * dropped when the call ends, so memory stays bounded by what is in flight.
 */
export const makeSingleFlight = Effect.sync(() => {
  const inFlight = new Map<string, Deferred.Deferred<unknown, unknown>>()
  return <A, E, R>(key: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.gen(function*() {
        const mine = yield* Deferred.make<A, E>()
        // One synchronous step: look up and register together, so two requests cannot both lead.
        const leader = yield* Effect.sync(() => {
          const existing = inFlight.get(key)
          if (existing === undefined) inFlight.set(key, mine as Deferred.Deferred<unknown, unknown>)
          return existing as Deferred.Deferred<A, E> | undefined
        })
        if (leader !== undefined) return yield* restore(Deferred.await(leader))
        const exit: Exit.Exit<A, E> = yield* Effect.exit(effect)
        yield* Effect.sync(() => inFlight.delete(key))
        yield* Deferred.done(mine, exit)
        return yield* exit
      })
    )
})
