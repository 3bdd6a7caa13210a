import { Chunk, Deferred, Effect, Option, Stream } from "effect"
import type { SyncRow } from "../model/Baton.js"
import type { PhaseContext } from "./PhaseContext.js"

/**
 * Items whose rows are built and passed on together: a page of 300 teams made ~20,000 rows at once,
 * all alive until the sink had written the last of them.
 */
const itemsPerChunk = 25

/** A listed page with the handover to the page after it; `None` marks the end of the list. */
interface PageTurn<A> {
  readonly page: Option.Option<Chunk.Chunk<A>>
  /** Completes once every page before has started its last fetch. */
  readonly before: Effect.Effect<void>
  /** Completed once this page's last fetch has started (or the page has ended). */
  readonly started: Deferred.Deferred<void>
}

/**
 * The rows of a listed page's items whose own lists are fetched per item (a user's connections, a
 * team's members): a page's fetches run in the sync's request slots, `concurrency` of them at a
 * time, then its rows are built in list order, `itemsPerChunk` items at a time, each batch passed
 * on as one chunk. The next page is listed while a page is fetched, and its fetches start as soon
 * as this page's last one has: they take the slots this page's last requests free, where waiting
 * for the whole page left slots empty for about a request's time at each page of a thousand users.
 * Likewise the phase's last fetch started is announced (`fetchesDone`), so the next phase takes the
 * slots this one's last requests free. Fetching each item through `Stream.mapEffect`'s concurrent
 * mode instead cost three fibers, two deferreds and a queue per item, and sent every item's few
 * rows alone through each later stage: removing that took ~30% off a large sync's CPU time.
 * Progress is reported after each fetch (per request, not per page), and no row is built before
 * `rowsAfter`.
 */
export const rowsPerPage = <A, B, E>(
  context: Pick<PhaseContext, "slots" | "reportProgress" | "fetchesDone" | "rowsAfter">,
  options: {
    readonly fetch: (item: A) => Effect.Effect<B, E>
    readonly rowsOf: (fetched: B) => Effect.Effect<ReadonlyArray<SyncRow>>
  }
) =>
<E0>(items: Stream.Stream<A, E0>): Stream.Stream<SyncRow, E | E0> => {
  const { slots } = context
  const fetchPage = (page: Chunk.Chunk<A>, started: Deferred.Deferred<void>) => {
    const last = Chunk.size(page) - 1
    return Effect.forEach(
      page,
      (item, index) =>
        slots.inSlot(
          Effect.zipRight(
            index === last ? Deferred.complete(started, Effect.void) : Effect.void,
            Effect.tap(options.fetch(item), () => context.reportProgress)
          )
        ),
      { concurrency: slots.concurrency }
    ).pipe(Effect.ensuring(Deferred.complete(started, Effect.void)))
  }
  const turn = ({ before, page, started }: PageTurn<A>) =>
    Effect.zipRight(
      before,
      Option.match(page, {
        onNone: () => Effect.as(context.fetchesDone, Option.none<ReadonlyArray<B>>()),
        onSome: (p) => Effect.map(fetchPage(p, started), Option.some)
      })
    )
  return items.pipe(
    Stream.chunks,
    Stream.map(Option.some),
    Stream.concat(Stream.make(Option.none<Chunk.Chunk<A>>())),
    Stream.mapAccumEffect(
      Effect.void,
      (before, page) => Effect.map(Deferred.make<void>(), (started) => [Deferred.await(started), { page, before, started }] as const)
    ),
    // Two pages at once: one finishing its fetches while the next starts its own.
    Stream.mapEffect(turn, { concurrency: 2 }),
    Stream.filterMap((fetched) => fetched),
    Stream.buffer({ capacity: 1 }),
    Stream.tap(() => context.rowsAfter),
    Stream.flatMap((fetched) =>
      Stream.fromIterable(fetched).pipe(
        Stream.rechunk(itemsPerChunk),
        Stream.mapChunksEffect((batch) => Effect.map(Effect.forEach(batch, options.rowsOf), (rows) => Chunk.unsafeFromArray(rows.flat())))
      )
    )
  )
}
