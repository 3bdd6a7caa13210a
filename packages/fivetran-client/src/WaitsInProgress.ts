import { Effect, HashMap, Option, Stream, SubscriptionRef } from "effect"

/**
 * Why a request is held back: Fivetran answered 429 (`rate-limited`), our own reserve for other
 * tools would be touched (`reserve`), or an attempt failed with a 5xx or on the network and is
 * retried after a backoff (`retry`).
 */
export type RequestWaitKind = "rate-limited" | "reserve" | "retry"

/** One wait in progress: what it waits for, why, and until when. */
export interface RequestWait {
  readonly kind: RequestWaitKind
  /** `METHOD /v1/path` of the request held back. */
  readonly endpoint: string
  /** What failed or what the budget looks like, e.g. `Fivetran answered 429 with Retry-After 3081s`. */
  readonly reason: string
  readonly millis: number
  /** Epoch milliseconds. */
  readonly until: number
}

/** Waits in progress as a progress line or a job status reads them. */
export interface RequestWaits {
  /** The wait in progress that ends last, if any request is waiting. */
  readonly current: Effect.Effect<Option.Option<RequestWait>>
  /** `current` now and at every change. */
  readonly changes: Stream.Stream<Option.Option<RequestWait>>
}

/** The wait that ends last: what a single progress line or job status shows. */
const longest = (waits: HashMap.HashMap<number, RequestWait>): Option.Option<RequestWait> =>
  HashMap.reduce(
    waits,
    Option.none<RequestWait>(),
    (found, wait) => Option.isSome(found) && found.value.until >= wait.until ? found : Option.some(wait)
  )

/** A set of waits in progress, by id (the client's, or one tally's): added as each begins, removed as it ends. */
export interface WaitsInProgress {
  readonly add: (id: number, wait: RequestWait) => Effect.Effect<void>
  /** Removes the wait and returns it, if it was in progress. */
  readonly remove: (id: number) => Effect.Effect<Option.Option<RequestWait>>
  readonly someOfKind: (kind: RequestWaitKind) => Effect.Effect<boolean>
  readonly waits: RequestWaits
}

export const makeWaitsInProgress: Effect.Effect<WaitsInProgress> = Effect.map(
  SubscriptionRef.make(HashMap.empty<number, RequestWait>()),
  (active) => ({
    add: (id, wait) => SubscriptionRef.update(active, HashMap.set(id, wait)),
    remove: (id) => SubscriptionRef.modify(active, (waits) => [HashMap.get(waits, id), HashMap.remove(waits, id)]),
    someOfKind: (kind) => Effect.map(SubscriptionRef.get(active), HashMap.some((wait) => wait.kind === kind)),
    waits: {
      current: Effect.map(SubscriptionRef.get(active), longest),
      changes: active.changes.pipe(
        Stream.map(longest),
        Stream.changesWith(Option.getEquivalence((a, b) => a.until === b.until && a.endpoint === b.endpoint))
      )
    }
  })
)
