import { currentMonotonicMillis } from "@baton-fivetran/fivetran-client"
import { Effect, Ref, Schedule } from "effect"
import type { ServerResponse } from "node:http"
import type { FollowedAnswer } from "./StreamedAnswers.js"

/**
 * A streamed answer (an export's sheet, a `.c1z`) whose client takes none of it for
 * `--download-stall-timeout` (60 s by default) is cut, and ends `aborted` saying so. An export holds
 * one of `--max-concurrent-exports`' slots for as long as it is sent: a client that stopped reading
 * (a hung script, a paused download, or one that means to) held its slot until it hung up, so that
 * four of them, with a read-only token, had every export and the explorer's views refused (429) for
 * as long as they liked.
 *
 * Only the client's wait counts: the connection is waiting for it to take what was written (Node's
 * `writableNeedDrain`) and no byte more has gone since. A body whose source is slow to give its next
 * rows is not waiting on the client, however long that takes. The wait is timed by the monotonic
 * clock: on the wall clock, one set back an hour as the client stopped reading kept its answer an hour
 * more, and one set forward cut an answer whose client had paused for a moment.
 */

/** How often a streamed answer is looked at, at most: a stalled one is cut at most this long after its limit. */
const MaxCheckEveryMillis = 5_000

const stalledReason = (stalledMillis: number) =>
  `the client took no byte of the answer for ${stalledMillis / 1000} s: the service closed the connection`

/**
 * Watches the streamed `answer` on `connection`, and cuts it once its client has taken nothing for
 * `stalledMillis`. Runs until interrupted (the request's end) or until it has cut the answer.
 */
export const cutWhenStalled = (
  answer: FollowedAnswer,
  connection: ServerResponse,
  stalledMillis: number
): Effect.Effect<void> =>
  Effect.gen(function*() {
    // The bytes sent when the client was last seen to take some (or the body was not waiting on it), and when.
    const progress = yield* Ref.make({ bytes: -1, at: yield* currentMonotonicMillis })
    const stalled = Effect.flatMap(currentMonotonicMillis, (now) =>
      Ref.modify(progress, (last) => {
        const bytes = answer.sent()
        const waiting = connection.writableNeedDrain && bytes === last.bytes
        return waiting ? [now - last.at >= stalledMillis, last] : [false, { bytes, at: now }]
      }))
    // A twelfth of the limit (5 s of the default minute): a short limit is kept about as closely.
    const checkEvery = Math.min(MaxCheckEveryMillis, stalledMillis / 12)
    yield* Effect.repeat(stalled, { schedule: Schedule.spaced(checkEvery), until: (cut) => cut })
    answer.cut(stalledReason(stalledMillis))
  })
