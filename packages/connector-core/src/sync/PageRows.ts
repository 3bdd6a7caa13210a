import { Chunk, Effect, Stream } from "effect"
import type { SyncRow } from "../model/Baton.js"
import type { PhaseContext } from "./PhaseContext.js"

/**
 * Items whose rows are built and passed on together: a page of 300 teams made ~20,000 rows at once,
 * all alive until the sink had written the last of them.
 */
const itemsPerChunk = 25

/**
 * The rows of a listed page's items whose own lists are fetched per item (a user's connections, a
 * team's members): a page's fetches run `concurrency` at a time, then its rows are built in list
 * order, `itemsPerChunk` items at a time, each batch passed on as one chunk. The next page is
 * listed and its fetches run while a page's rows are built and written: building them in between
 * left no request in flight for ~70 ms a page of a thousand users. Fetching each item through
 * `Stream.mapEffect`'s concurrent mode instead cost three fibers, two deferreds and a queue per
 * item, and sent every item's few rows alone through each later stage: removing that took ~30% off
 * a large sync's CPU time. Progress is reported after each fetch (per request, not per page), the
 * phase's last fetch is announced (`fetchesDone`), and no row is built before `rowsAfter`.
 */
export const rowsPerPage = <A, B, E>(
  context: Pick<PhaseContext, "concurrency" | "reportProgress" | "fetchesDone" | "rowsAfter">,
  options: {
    readonly fetch: (item: A) => Effect.Effect<B, E>
    readonly rowsOf: (fetched: B) => Effect.Effect<ReadonlyArray<SyncRow>>
  }
) =>
<E0>(items: Stream.Stream<A, E0>): Stream.Stream<SyncRow, E | E0> =>
  items.pipe(
    Stream.bufferChunks({ capacity: 1 }),
    Stream.chunks,
    Stream.mapEffect((page) =>
      Effect.forEach(page, (item) => Effect.tap(options.fetch(item), () => context.reportProgress), { concurrency: context.concurrency })
    ),
    Stream.concat(Stream.execute(context.fetchesDone)),
    Stream.buffer({ capacity: 1 }),
    Stream.tap(() => context.rowsAfter),
    Stream.flatMap((fetched) =>
      Stream.fromIterable(fetched).pipe(
        Stream.rechunk(itemsPerChunk),
        Stream.mapChunksEffect((batch) => Effect.map(Effect.forEach(batch, options.rowsOf), (rows) => Chunk.unsafeFromArray(rows.flat())))
      )
    )
  )
