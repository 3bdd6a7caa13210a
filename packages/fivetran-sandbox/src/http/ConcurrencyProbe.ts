import { Deferred, type Duration, Effect, Ref } from "effect"
import type { HookedRequest, RequestHook } from "./RequestHook.js"

/** What a probe saw: the matching requests that arrived, and the most of them held at once. */
export interface ConcurrencySeen {
  readonly arrived: number
  readonly most: number
}

/**
 * A request hook that shows how many matching requests a client sends at once: each one is held
 * until `atOnce` of them are held together (or `giveUpAfter` has passed), so `most` reaches
 * `atOnce` only if the client sent that many without waiting for an answer, and goes no higher
 * if it never sends more. Later matching requests pass at once. Set it with `setRequestHook`.
 */
export const concurrencyProbe = (
  matches: (request: HookedRequest) => boolean,
  atOnce: number,
  giveUpAfter: Duration.DurationInput
): Effect.Effect<{ readonly hook: RequestHook; readonly seen: Effect.Effect<ConcurrencySeen> }> =>
  Effect.gen(function*() {
    const full = yield* Deferred.make<void>()
    const held = yield* Ref.make({ now: 0, arrived: 0, most: 0 })
    const enter = Ref.modify(held, (h) => {
      const next = { now: h.now + 1, arrived: h.arrived + 1, most: Math.max(h.most, h.now + 1) }
      return [next.arrived, next] as const
    })
    const hook: RequestHook = (request) =>
      !matches(request) ? Effect.void : enter.pipe(
        Effect.tap((arrived) => arrived === atOnce ? Deferred.succeed(full, undefined) : Effect.void),
        // The sandbox runs its hook uninterruptibly: the wait is made interruptible for its timeout.
        Effect.zipRight(Effect.ignore(Effect.timeout(Effect.interruptible(Deferred.await(full)), giveUpAfter))),
        Effect.ensuring(Ref.update(held, (h) => ({ ...h, now: h.now - 1 })))
      )
    return { hook, seen: Effect.map(Ref.get(held), ({ arrived, most }) => ({ arrived, most })) }
  })
