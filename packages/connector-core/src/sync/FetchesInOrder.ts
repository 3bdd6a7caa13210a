import { type Effect, Stream } from "effect"
import type { RequestSlots } from "./RequestSlots.js"

/**
 * How many times `concurrency` items may be fetched or waiting to be passed on at once. At 4, a
 * large sync at concurrency 32 peaked at 189-193 MB against 163-164 MB without reading ahead; at 2,
 * 165-167 MB (two alternating rounds each).
 */
export const aheadFactor = 2

/**
 * Fetches a bounded stretch of the stream ahead, each item in one of the sync's request slots, and
 * passes the results on in the stream's order.
 *
 * `Stream.mapEffect` with `concurrency: n` starts an item only when one of the n before it has been
 * passed on: one slow item at the head (a large group's many pages, or rows that wait for the
 * phase before to finish) leaves its n followers finished and waiting, and no request in flight
 * but its own. Here up to `concurrency * aheadFactor` items are started in order and only as many
 * as there are free slots fetch at once, so finished followers hold memory (their results), not
 * request slots.
 */
export const fetchesInOrder =
  <A, B, E>(fetch: (item: A) => Effect.Effect<B, E>, slots: RequestSlots) => <E0>(items: Stream.Stream<A, E0>): Stream.Stream<B, E | E0> =>
    Stream.mapEffect(items, (item) => slots.inSlot(fetch(item)), { concurrency: slots.concurrency * aheadFactor })
