import { Cause, Deferred, Effect, type Exit, Fiber, HashMap, Option } from "effect"
import { ServiceStopping } from "./ServiceStopping.js"

/**
 * Identical provisioning requests that arrive while one is in flight (a client retrying, or many
 * clients granting the same access at once) share that one's upstream call and its answer instead
 * of each checking and writing: exactly one write reaches Fivetran. The call runs in a fiber of its
 * own that the requests only await, so a client going away leaves it running for the others. The
 * service's stop interrupts it (it used to run on, and a call waiting up to an hour for the rate
 * limit held the stop that long): its requests are answered ServiceStopping, and a write it had
 * already sent may or may not have been made, which a retry tells (`already_exists`,
 * `already_revoked`). Entries are dropped when the call ends, so memory stays bounded by what is in
 * flight. Scoped: the scope is the service's. The call's fiber ends with its Exit, failure or not:
 * a fiber that fails is logged as "unhandled" (at debug), which this one's failure is not (every
 * request waiting on it is answered with it), and its text may hold what the audit line leaves out
 * (an invitation's email).
 *
 * A request that joined a call in flight is answered with its outcome through `joined`, which the
 * service uses to write that request's own audit line: every caller who asked leaves one, naming
 * its request id and caller, and `shared_request_id` names the request whose call made (or refused)
 * the change, whose line is the one written for the call itself.
 */
export const makeSingleFlight = Effect.gen(function*() {
  type Call = Fiber.RuntimeFiber<Exit.Exit<unknown, unknown>>
  /** A call in flight, and the request id of the request that leads it (a request's log annotation). */
  interface Slot {
    readonly call: Deferred.Deferred<Call>
    readonly leader: Option.Option<string>
  }
  const inFlight = new Map<string, Slot>()
  const running = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
  let stopped = false
  yield* Effect.addFinalizer(() =>
    Effect.suspend(() => {
      stopped = true
      return Fiber.interruptAll(running)
    })
  )

  /** Forks the call; uninterruptible, so its `ensuring` runs even when the stop comes before its first step. */
  const lead = (key: string, slot: Slot, call: Effect.Effect<unknown, unknown>) =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkDaemon(Effect.ensuring(
        Effect.exit(call),
        Effect.withFiberRuntime<void>((self) => {
          running.delete(self)
          if (inFlight.get(key) === slot) inFlight.delete(key)
          return Effect.void
        })
      ))
      running.add(fiber)
      // A stop that began since this request registered did not see the fiber.
      if (stopped) yield* Fiber.interruptFork(fiber)
      yield* Deferred.succeed(slot.call, fiber)
      return fiber
    })

  return <A, E, R>(
    key: string,
    effect: Effect.Effect<A, E, R>,
    joined: (call: Effect.Effect<A, E>) => Effect.Effect<A, E>
  ): Effect.Effect<A, E | ServiceStopping, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.gen(function*(): Effect.fn.Return<A, E | ServiceStopping, R> {
        const context = yield* Effect.context<R>()
        const annotations = yield* Effect.logAnnotations
        const mine: Slot = {
          call: yield* Deferred.make<Call>(),
          leader: Option.filter(HashMap.get(annotations, "request_id"), (id): id is string => typeof id === "string")
        }
        // One synchronous step: look up and register together, so two requests cannot both lead.
        const shared = yield* Effect.sync(() => {
          if (stopped) return undefined
          const existing = inFlight.get(key)
          if (existing === undefined) inFlight.set(key, mine)
          return existing ?? mine
        })
        if (shared === undefined) return yield* new ServiceStopping()
        const fiber = shared === mine
          ? yield* lead(key, mine, restore(Effect.provide(effect, context)))
          : yield* restore(Deferred.await(shared.call))
        // Awaited, not joined: a join would take the call's fiber refs into this request's fiber, the
        // leading request's log annotations and answer headers (its X-Request-Id) with them.
        const call = Fiber.await(fiber as Fiber.RuntimeFiber<Exit.Exit<A, E>>).pipe(Effect.flatten, Effect.flatten)
        const answered = shared === mine ? call : Option.match(shared.leader, {
          onNone: () => joined(call),
          onSome: (leader) => Effect.annotateLogs(joined(call), "shared_request_id", leader)
        })
        return yield* restore(
          answered.pipe(
            // The call was interrupted while this request still waits for it (not this request: its own
            // interruption is not caught here): only the stop does that.
            Effect.catchAllCause((cause): Effect.Effect<never, E | ServiceStopping> =>
              Cause.isInterruptedOnly(cause) ? new ServiceStopping() : Effect.failCause(cause)
            )
          )
        )
      })
    )
})
