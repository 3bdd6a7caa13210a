import { currentMonotonicMillis } from "@baton-fivetran/fivetran-client"
import { Effect, HashMap, Option, Ref, Schedule } from "effect"

/**
 * Requests refused for a bearer token the service does not accept, logged at warn by peer address.
 * A guess at a token is one request: a line each would let a brute force fill the log, and none (as
 * before) hid one. An address's first refusal is logged at once; later ones are counted, and the
 * count since its last line is logged at most once a minute. The line holds the address and the
 * count, never what was sent. A request without an Authorization header is not counted: browsers
 * and scanners send none, and it guesses nothing. The minute is the monotonic clock's: on the wall
 * clock, one set back an hour (an NTP step, a VM resumed) silenced an address's lines for that hour.
 */

const IntervalMillis = 60_000

/** How often counts waiting for their minute are looked at. */
const FlushEvery = "10 seconds"

/** Addresses tracked at once; refusals from further ones are counted together, so memory stays bounded. */
const MaxPeers = 10_000
const OtherPeers = "other addresses"

interface PeerCount {
  /** Refusals since the address's last line. */
  readonly pending: number
  readonly lastLineAt: number
}

const line = (peer: string, failures: number) => Effect.logWarning("bearer token refused").pipe(Effect.annotateLogs({ peer, failures }))

export class FailedAuthentications extends Effect.Service<FailedAuthentications>()("baton-http/FailedAuthentications", {
  scoped: Effect.gen(function*() {
    const peers = yield* Ref.make(HashMap.empty<string, PeerCount>())

    /** Counts a refusal from `peer`; logs it with those not yet logged when its last line is a minute old. */
    const record = (peer: string) =>
      Effect.flatMap(currentMonotonicMillis, (now) =>
        Effect.flatMap(
          Ref.modify(peers, (counts): readonly [Option.Option<readonly [string, number]>, HashMap.HashMap<string, PeerCount>] => {
            const key = HashMap.has(counts, peer) || HashMap.size(counts) < MaxPeers ? peer : OtherPeers
            const known = HashMap.get(counts, key)
            if (Option.isSome(known) && now - known.value.lastLineAt < IntervalMillis) {
              return [Option.none(), HashMap.set(counts, key, { ...known.value, pending: known.value.pending + 1 })]
            }
            const failures = Option.match(known, { onNone: () => 1, onSome: (count) => count.pending + 1 })
            return [Option.some([key, failures]), HashMap.set(counts, key, { pending: 0, lastLineAt: now })]
          }),
          Option.match({ onNone: () => Effect.void, onSome: ([key, failures]) => line(key, failures) })
        ))

    /** Logs the counts whose minute is up, and forgets an address quiet for a minute. */
    const flush = Effect.flatMap(currentMonotonicMillis, (now) =>
      Effect.flatMap(
        Ref.modify(peers, (counts) => {
          const due = HashMap.filter(counts, (count) => now - count.lastLineAt >= IntervalMillis)
          const logged = HashMap.filter(due, (count) => count.pending > 0)
          const next = HashMap.reduce(due, counts, (kept, count, peer) =>
            count.pending > 0 ? HashMap.set(kept, peer, { pending: 0, lastLineAt: now }) : HashMap.remove(kept, peer))
          return [
            Array.from(logged, ([peer, count]) =>
              [peer, count.pending] as const),
            next
          ] as const
        }),
        (lines) =>
          Effect.forEach(lines, ([peer, failures]) => line(peer, failures), { discard: true })
      ))

    yield* Effect.forkScoped(Effect.repeat(flush, Schedule.spaced(FlushEvery)))
    return { record } as const
  })
}) {}
