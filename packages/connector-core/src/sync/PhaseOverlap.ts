import { Chunk, Deferred, Effect, type Queue, Stream, type Take } from "effect"

/** A phase's place among the others, as its rows see it. */
export interface PhaseGates {
  /**
   * Tells the engine the phase has started its last request, so the next phase starts its requests
   * while this one's last are answered and its rows are still being built and written. A phase that
   * makes requests and never calls it holds the next one back until its last row is built.
   */
  readonly fetchesDone: Effect.Effect<void>
  /**
   * Succeeds once the earlier phases have built all their rows: a phase builds none before, since
   * its rows read what those left (team expansion, the teams on each group). Its requests may run.
   */
  readonly rowsAfter: Effect.Effect<void>
}

export interface OverlappedPhase<A, E> {
  /** A phase that makes no requests (its rows come from what was loaded before) lets the next start at once. */
  readonly fetches: boolean
  readonly rows: (gates: PhaseGates) => Stream.Stream<A, E>
  /** Runs when the output reaches the phase's rows, after every row of the phases before. */
  readonly reached: Effect.Effect<void>
}

/** Chunks a started phase may build before the sink takes them: they wait for the earlier phases' rows. */
const chunksAhead = 4

/**
 * The phases' rows, in phase order, each phase started as soon as the one before has started its
 * last request: its lists are fetched while the earlier phases' last requests are answered and their
 * last rows built and written, which left no request in flight for ~0.2–0.4 s between each two
 * phases of a large sync. A phase's rows are built only once the earlier phases have built theirs
 * (`rowsAfter`); at most one phase starts requests at a time, and the phases share the sync's
 * request slots (RequestSlots.ts). A started phase's failure reaches the stream when its rows are
 * reached.
 */
export const overlapPhases = <A, E>(phases: ReadonlyArray<OverlappedPhase<A, E>>): Stream.Stream<A, E> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const started: Array<{ readonly queue: Deferred.Deferred<Queue.Dequeue<Take.Take<A, E>>>; readonly reached: Effect.Effect<void> }> = []
    let earlierFetched: Effect.Effect<void> = Effect.void
    let earlierBuilt: Effect.Effect<void> = Effect.void
    for (const phase of phases) {
      const fetched = yield* Deferred.make<void>()
      const built = yield* Deferred.make<void>()
      const queue = yield* Deferred.make<Queue.Dequeue<Take.Take<A, E>>>()
      const fetchesDone = Deferred.complete(fetched, Effect.void).pipe(Effect.asVoid)
      const gates: PhaseGates = { fetchesDone, rowsAfter: earlierBuilt }
      const rows = Stream.concat(
        phase.fetches ? phase.rows(gates) : Stream.concat(Stream.execute(Effect.zipRight(fetchesDone, earlierBuilt)), phase.rows(gates)),
        Stream.execute(Effect.zipRight(fetchesDone, Deferred.complete(built, Effect.void)))
      )
      yield* Effect.forkScoped(
        Effect.zipRight(earlierFetched, Effect.flatMap(Stream.toQueue(rows, { capacity: chunksAhead }), (q) => Deferred.succeed(queue, q)))
      )
      started.push({ queue, reached: phase.reached })
      // A phase without requests hands on the wait for the phases before it, so the next phase does
      // not also wait for this one's fiber to be scheduled (which may come after many rows).
      if (phase.fetches) earlierFetched = Deferred.await(fetched)
      earlierBuilt = Deferred.await(built)
    }
    return Stream.concatAll(
      Chunk.fromIterable(started.map(({ queue, reached }) =>
        Stream.unwrap(Effect.zipRight(
          reached,
          Effect.map(Deferred.await(queue), (taken) => Stream.flattenTake(Stream.fromQueue(taken)))
        ))
      ))
    )
  }))
