import { Chunk, Effect, Stream } from "effect"
import type { SyncRow } from "../model/Baton.js"

/**
 * Items whose rows are built and passed on together: a page of 300 teams made ~20,000 rows at once,
 * all alive until the sink had written the last of them.
 */
const itemsPerChunk = 25

/**
 * The rows of a listed page's items whose own lists are fetched per item (a user's connections, a
 * team's members): a page's fetches run `concurrency` at a time, then its rows are built in list
 * order, `itemsPerChunk` items at a time, each batch passed on as one chunk, while the next page is
 * already being listed. Fetching each item through `Stream.mapEffect`'s concurrent mode instead cost
 * three fibers, two deferreds and a queue per item, and sent every item's few rows alone through
 * each later stage: removing that took ~30% off a large sync's CPU time. `fetched` runs after each
 * fetch (progress is reported per request, not per page).
 */
export const rowsPerPage = <A, B, E>(options: {
  readonly concurrency: number
  readonly fetch: (item: A) => Effect.Effect<B, E>
  readonly fetched: Effect.Effect<void>
  readonly rowsOf: (fetched: B) => Effect.Effect<ReadonlyArray<SyncRow>>
}) =>
<E0>(items: Stream.Stream<A, E0>): Stream.Stream<SyncRow, E | E0> =>
  items.pipe(
    Stream.bufferChunks({ capacity: 1 }),
    Stream.chunks,
    Stream.mapEffect((page) =>
      Effect.forEach(page, (item) => Effect.tap(options.fetch(item), () => options.fetched), { concurrency: options.concurrency })
    ),
    Stream.flatMap((fetched) =>
      Stream.fromIterable(fetched).pipe(
        Stream.rechunk(itemsPerChunk),
        Stream.mapChunksEffect((batch) => Effect.map(Effect.forEach(batch, options.rowsOf), (rows) => Chunk.unsafeFromArray(rows.flat())))
      )
    )
  )
