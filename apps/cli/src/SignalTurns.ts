import { Effect, Scheduler } from "effect"

/**
 * Lets SIGINT and SIGTERM stop a review command between two pages of rows. Node runs a signal's
 * handler (NodeRuntime's, which interrupts the main fiber) only in the event loop's poll phase,
 * and a review command never got there: SQLite answers synchronously, and a write to a file, a
 * pipe or a terminal calls back on the next tick, so Effect's default scheduler resumed the fiber
 * from the microtask queue after each page and each write (its fallback to a timer counts only
 * uninterrupted runs of microtasks, which every write ended). The signal waited for the last row.
 *
 * Under this scheduler the fiber resumes from `setImmediate`, which runs after the poll phase:
 * each write and each cooperative yield (every 2048 operations) gives the loop a turn, about a
 * microsecond each.
 */
const eachTurn = Scheduler.makeBatched((run) => setImmediate(run))

export const stoppableBySignals = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withScheduler(effect, eachTurn)
