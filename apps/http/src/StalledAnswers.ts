import { Clock, Effect, Ref, Schedule } from "effect"
import type { ServerResponse } from "node:http"
import type { FollowedAnswer } from "./StreamedAnswers.js"

/**
 * A streamed answer (an export's sheet, a `.c1z`) whose client takes none of it for StalledMillis
 * is cut, and ends `aborted` saying so. An export holds one of `--max-concurrent-exports`' slots
 * for as long as it is sent: a client that stopped reading (a hung script, a paused download, or
 * one that means to) held its slot until it hung up, so that four of them, with a read-only token,
 * had every export and the explorer's views refused (429) for as long as they liked.
 *
 * Only the client's wait counts: the connection is waiting for it to take what was written (Node's
 * `writableNeedDrain`) and no byte more has gone since. A body whose source is slow to give its next
 * rows is not waiting on the client, however long that takes.
 */

export const StalledMillis = 60_000

/** How often a streamed answer is looked at: a stalled one is cut at most this long after StalledMillis. */
const CheckEvery = "5 seconds"

const stalledReason = `the client took no byte of the answer for ${StalledMillis / 1000} s: the service closed the connection`

/**
 * Watches the answer `followed` gives (none until a streamed body is about to be sent) on
 * `connection`, and cuts it once its client has taken nothing for StalledMillis. Runs until
 * interrupted (the request's end) or until it has cut the answer.
 */
export const cutWhenStalled = (
  followed: () => FollowedAnswer | undefined,
  connection: ServerResponse
): Effect.Effect<void> =>
  Effect.gen(function*() {
    // The bytes sent when the client was last seen to take some (or the body was not waiting on it), and when.
    const progress = yield* Ref.make({ bytes: -1, at: yield* Clock.currentTimeMillis })
    const stalled = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Ref.modify(progress, (last) => {
        const answer = followed()
        const bytes = answer?.sent() ?? -1
        const waiting = answer !== undefined && connection.writableNeedDrain && bytes === last.bytes
        return waiting ? [now - last.at >= StalledMillis, last] : [false, { bytes, at: now }]
      }))
    yield* Effect.repeat(stalled, { schedule: Schedule.spaced(CheckEvery), until: (cut) => cut })
    followed()?.cut(stalledReason)
  })
