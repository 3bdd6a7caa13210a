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

/** Resumes in the event loop's next check phase (setImmediate). */
const checkPhase: Effect.Effect<void> = Effect.async<void>((resume) => {
  const turn = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(turn))
})

/**
 * Waits until the event loop has passed a poll phase, where Node runs the handler of a signal that
 * came meanwhile, so that a step that must not start once a stop was asked for (the sandbox's
 * banner) is interrupted instead. Two check phases: the first may come before the poll that sees
 * the signal (a signal raised during this very turn), the second comes after it.
 */
export const signalsTurn: Effect.Effect<void> = Effect.zipRight(checkPhase, checkPhase)
