import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { Deferred, Effect, Ref } from "effect"

/**
 * Races between callers made to happen the same way every run: the sandbox's request hook holds
 * some requests (`METHOD /path`) until others have arrived. Used by the tests of provisioning
 * actions at once, in this package and in the apps (their callers are processes of their own).
 * The sandbox handles a request uninterruptibly, so a wait here that may be cut short is made
 * interruptible.
 */

/** Holds each request in `held` until `count` of them have arrived, then lets them all through. */
export const allArrived = (held: ReadonlyArray<string>, count: number) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    const arrived = yield* Ref.make(0)
    const open = yield* Deferred.make<void>()
    yield* sandbox.setRequestHook(({ method, path }) =>
      held.includes(`${method} ${path}`)
        ? Effect.zipRight(
          Effect.flatMap(Ref.updateAndGet(arrived, (n) => n + 1), (n) => n === count ? Deferred.succeed(open, undefined) : Effect.void),
          Deferred.await(open)
        )
        : Effect.void
    )
  })

/**
 * `held` waits, once it has arrived, until `rival` reaches the sandbox, or until the rival has had
 * its chance (300 ms): a rival that waits its turn behind `held`'s caller never comes. Succeeds
 * with what completes once `held` has arrived.
 */
export const heldForRival = (held: string, rival: string) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    const arrived = yield* Deferred.make<void>()
    const rivalCame = yield* Deferred.make<void>()
    yield* sandbox.setRequestHook(({ method, path }) =>
      `${method} ${path}` === held
        ? Effect.zipRight(
          Deferred.succeed(arrived, undefined),
          Effect.interruptible(Effect.race(Deferred.await(rivalCame), Effect.sleep("300 millis")))
        )
        : `${method} ${path}` === rival
        ? Deferred.succeed(rivalCame, undefined)
        : Effect.void
    )
    return Deferred.await(arrived)
  })

/**
 * `overtaking` passes `held`: it waits until `held` has arrived, and `held` then waits until
 * `released` completes (the test completes it once the overtaking caller has its answer).
 */
export const overtaken = (held: string, overtaking: string, released: Deferred.Deferred<void>) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    const arrived = yield* Deferred.make<void>()
    yield* sandbox.setRequestHook(({ method, path }) =>
      `${method} ${path}` === held
        ? Effect.zipRight(Deferred.succeed(arrived, undefined), Deferred.await(released))
        : `${method} ${path}` === overtaking
        ? Deferred.await(arrived)
        : Effect.void
    )
  })

/** The writes the sandbox answered since its log was cleared, as `METHOD /path status`, sorted (callers at once answer in no set order). */
export const sortedWrites = Effect.flatMap(
  Sandbox,
  (sandbox) =>
    Effect.map(
      sandbox.requestLog,
      (log) => log.filter((entry) => entry.method !== "GET").map((entry) => `${entry.method} ${entry.path} ${entry.status}`).sort()
    )
)
