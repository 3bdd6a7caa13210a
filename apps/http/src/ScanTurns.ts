import { type Chunk, Effect, Stream } from "effect"

/**
 * The listings that may read a whole sync to answer one page, run one at a time: a search (`q` of
 * GET /v1/resources and GET /v1/principals) or a parent filter that few resources match reads every
 * resource of the sync (a parent filter decodes each: ~0.3 s of the service's one thread on a `large`
 * account; a search only those that may match: ~0.08 s). Ten
 * at once (one read-only caller typing in the explorer's search box is enough) held a /healthz answer
 * for 3-4 s, past a liveness probe's timeout: Effect's scheduler runs ready fibers for thousands of
 * steps before Node reads a socket again, so a scan gives the event loop a turn after each page of
 * rows it reads, and the requests that arrived meanwhile are answered then. A scan's answer is kept
 * (ResponseCache), so a repeated one does not wait; a waiting request holds only its socket (the
 * connection cap bounds those), and leaves the line when its client hangs up.
 */

/** One turn of Node's event loop (its I/O read, its timers) before going on. */
const eventLoopTurn = Effect.async<void>((resume) => {
  const turn = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(turn))
})

export class ScanTurns extends Effect.Service<ScanTurns>()("baton-http/ScanTurns", {
  effect: Effect.map(Effect.makeSemaphore(1), (turns) => ({
    /** `scan`'s rows, read once no other scan runs, the event loop given a turn after each page. */
    collectInTurn: <A, E, R>(scan: Stream.Stream<A, E, R>): Effect.Effect<Chunk.Chunk<A>, E, R> =>
      turns.withPermits(1)(Stream.runCollect(Stream.mapChunksEffect(scan, (page) => Effect.as(eventLoopTurn, page))))
  }))
}) {}
