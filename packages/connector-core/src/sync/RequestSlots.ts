import { Effect } from "effect"

/**
 * The sync's per-item requests in flight, `concurrency` at most across all its phases. One set of
 * slots for the whole sync lets a phase's first requests take the slots its predecessor's last ones
 * free, instead of each phase filling its own only once the one before has emptied its.
 */
export interface RequestSlots {
  readonly concurrency: number
  /** Runs `fetch` in a slot, waiting for one to be free. */
  readonly inSlot: <A, E, R>(fetch: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

export const makeRequestSlots = (concurrency: number): Effect.Effect<RequestSlots> =>
  Effect.map(Effect.makeSemaphore(concurrency), (semaphore) => ({ concurrency, inSlot: semaphore.withPermits(1) }))
