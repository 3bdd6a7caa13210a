import { Option } from "effect"

/** Fivetran's window: every request counts against the account for one rolling hour (docs/fivetran-api.md §1.7). */
export const DefaultRateWindowSeconds = 3600

/**
 * The longest window a server may announce, as the sandbox's `--rate-window-seconds` allows (Fivetran
 * announces none). A longer one is not believed: a window of 2^53 seconds kept every request in it
 * for ever, so once the budget reached the reserve no request went again in that process.
 */
export const MaxRateWindowSeconds = 86_400

/** What the rate-limit headers of one answer said, and which of our requests it answered. */
export interface BudgetObservation {
  /** `X-Rate-Limit`: the account's requests per window. */
  readonly limit: number
  /** `X-Rate-Limit-Remaining`: what was left once this request was counted. */
  readonly remaining: number
  /** A server may announce a window other than the hour (the sandbox does); none means the hour. */
  readonly windowSeconds: Option.Option<number>
}

/** What the client knows of the account's budget; for summaries, progress and metrics. */
export interface RateBudgetStatus {
  readonly limit: Option.Option<number>
  /** The estimate of what is left now: the latest answer, minus our requests since, plus ours that expired. */
  readonly remaining: Option.Option<number>
  /** The lowest `X-Rate-Limit-Remaining` any answer carried. */
  readonly lowestRemaining: Option.Option<number>
  /** The requests never spent by this client: `reservePercent` of the limit, rounded up. */
  readonly reserve: Option.Option<number>
  /** The rolling window: an hour, unless the server announced another. */
  readonly windowSeconds: number
  /**
   * This client's answered requests still in the window, and in how many milliseconds the oldest
   * and the newest of them leave it: each frees one request of the budget then. None without any.
   */
  readonly ownFreeing: Option.Option<OwnFreeing>
}

export interface OwnFreeing {
  readonly count: number
  readonly firstMillis: number
  readonly lastMillis: number
}

interface Sent {
  readonly seq: number
  /** When the answer arrived (an upper bound of when the server counted it); +∞ while in flight. */
  at: number
}

/**
 * The account's request budget as this client sees it. Other tools spend the same budget and we
 * cannot see their requests, only their effect on `X-Rate-Limit-Remaining`; so the estimate starts
 * from the latest answer, subtracts our requests sent after it, and adds back ours that left the
 * rolling window since (never other callers', which keeps the estimate on the safe side). Requests
 * are ordered by a sequence number, not by time, so simultaneous requests (the TestClock) still
 * order. Times come from the caller (the Effect Clock). Memory: one entry per request of the last
 * window.
 */
export class RateBudget {
  private sent: Array<Sent> = []
  private nextSeq = 0
  private latest: Option.Option<BudgetObservation & { readonly seq: number; readonly at: number }> = Option.none()
  private lowest: Option.Option<number> = Option.none()
  /** At most the earliest answer time in `sent` (removals leave it low): while it is inside the window, none of ours expired. */
  private earliestAnswer = Number.POSITIVE_INFINITY
  /** Lowest remaining per open watch (e.g. one per running sync of a long-lived client). */
  private readonly watches = new Set<{ lowest: Option.Option<number> }>()

  constructor(
    private readonly reservePercent: number,
    private readonly defaultWindowSeconds: number = DefaultRateWindowSeconds
  ) {}

  private windowMillis(): number {
    return Option.match(this.latest, {
      onNone: () => this.defaultWindowSeconds,
      onSome: (o) => Option.getOrElse(o.windowSeconds, () => this.defaultWindowSeconds)
    }) * 1000
  }

  private reserveOf(limit: number): number {
    return Math.ceil(limit * this.reservePercent / 100)
  }

  /** Records a request about to be sent; returns its sequence number for `observe`. */
  send(): number {
    const seq = this.nextSeq++
    this.sent.push({ seq, at: Number.POSITIVE_INFINITY })
    return seq
  }

  /** Records the answer to request `seq`, with its rate-limit headers when it had them. */
  observe(seq: number, now: number, observation: Option.Option<BudgetObservation>): void {
    const entry = this.sentBySeq(seq)
    if (entry !== undefined) {
      entry.at = now
      this.earliestAnswer = Math.min(this.earliestAnswer, now)
    }
    if (Option.isNone(observation)) return
    this.sawRemaining(observation.value.remaining)
    const o = observation.value
    // An older request answered late says less about now than the newest one already seen.
    if (Option.isSome(this.latest) && this.latest.value.seq > seq) return
    this.latest = Option.some({ ...o, seq, at: now })
    this.prune(now)
  }

  /**
   * A request the server turned away (429): it did not count. `remaining` is what the refusal says
   * was left of the account's budget (refusedRemaining), none when it says nothing of it.
   */
  refused(seq: number, remaining: Option.Option<number>): void {
    const entry = this.sentBySeq(seq)
    if (entry !== undefined) this.sent.splice(this.sent.indexOf(entry), 1)
    if (Option.isSome(remaining)) this.sawRemaining(remaining.value)
  }

  private sawRemaining(remaining: number): void {
    const lower = (lowest: Option.Option<number>) =>
      Option.some(Option.match(lowest, { onNone: () => remaining, onSome: (l) => Math.min(l, remaining) }))
    this.lowest = lower(this.lowest)
    for (const watch of this.watches) watch.lowest = lower(watch.lowest)
  }

  /** Starts watching the lowest remaining from now on; `read` gives it, `stop` ends the watch. */
  watchLowest(): { readonly read: () => Option.Option<number>; readonly stop: () => void } {
    const watch = { lowest: Option.none<number>() }
    this.watches.add(watch)
    return { read: () => watch.lowest, stop: () => this.watches.delete(watch) }
  }

  /**
   * `sent` is in sequence order (appended in order, pruned from the front): a binary search gives
   * the index of the first entry with a sequence number at or above `seq`.
   */
  private indexFrom(seq: number): number {
    let low = 0
    let high = this.sent.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.sent[middle]!.seq < seq) low = middle + 1
      else high = middle
    }
    return low
  }

  private sentBySeq(seq: number): Sent | undefined {
    const candidate = this.sent[this.indexFrom(seq)]
    return candidate?.seq === seq ? candidate : undefined
  }

  /** Drops requests that left the window before the latest answer's window began: no estimate needs them. */
  private prune(now: number): void {
    const horizon = Math.min(now, Option.match(this.latest, { onNone: () => now, onSome: (o) => o.at })) - this.windowMillis()
    let drop = 0
    while (drop < this.sent.length && this.sent[drop]!.at <= horizon) drop++
    if (drop > 0) this.sent = this.sent.slice(drop)
  }

  /**
   * The estimated requests left in the window at `now`; none before the first answer with headers.
   * Progress asks for it after every request: while none of our requests has left the window (a
   * whole sync, usually) it takes a binary search, not a pass over every request of the window.
   */
  estimate(now: number): Option.Option<number> {
    return Option.map(this.latest, (o) => {
      const window = this.windowMillis()
      if (now < o.at + window && this.earliestAnswer > now - window) {
        return o.remaining - (this.sent.length - this.indexFrom(o.seq + 1))
      }
      this.earliestAnswer = this.sent.reduce((earliest, s) => Math.min(earliest, s.at), Number.POSITIVE_INFINITY)
      const live = (s: Sent) => s.at > now - window
      // A whole window after the latest answer, everything it counted has expired.
      if (now >= o.at + window) return o.limit - this.sent.filter(live).length
      let estimate = o.remaining
      for (const s of this.sent) {
        if (s.seq > o.seq && live(s)) estimate--
        if (s.seq <= o.seq && s.at > o.at - window && !live(s)) estimate++
      }
      return estimate
    })
  }

  /**
   * How long to wait before one more request keeps the remaining budget at or above the reserve:
   * 0 when it may go now, or none known (no answer with headers yet). Otherwise the time until
   * enough of our own requests leave the window, or until the latest answer's window has passed,
   * whichever comes first; the caller asks again then.
   */
  waitMillis(now: number): number {
    if (Option.isNone(this.latest)) return 0
    const o = this.latest.value
    // The common case in O(1): even if every request since the latest answer still counted, one more fits.
    if (now < o.at + this.windowMillis() && o.remaining - (this.nextSeq - 1 - o.seq) > this.reserveOf(o.limit)) return 0
    const estimate = Option.getOrElse(this.estimate(now), () => o.limit)
    const deficit = this.reserveOf(o.limit) + 1 - estimate
    if (deficit <= 0) return 0
    const window = this.windowMillis()
    const freeing = this.sent
      .filter((s) => s.at > now - window && s.at !== Number.POSITIVE_INFINITY && (s.seq > o.seq || s.at > o.at - window))
      .map((s) => s.at + window)
      .sort((a, b) => a - b)
    const windowPassed = Math.max(o.at + window, now + 1)
    const enoughFreed = freeing[deficit - 1] ?? Number.POSITIVE_INFINITY
    return Math.min(windowPassed, enoughFreed) - now
  }

  /** What the client knows of the budget at `now`. */
  status(now: number): RateBudgetStatus {
    return {
      limit: Option.map(this.latest, (o) => o.limit),
      remaining: this.estimate(now),
      lowestRemaining: this.lowest,
      reserve: Option.map(this.latest, (o) => this.reserveOf(o.limit)),
      windowSeconds: this.windowMillis() / 1000,
      ownFreeing: this.ownFreeing(now)
    }
  }

  /** One pass over the window's requests (a status is asked for at most every progress report). */
  private ownFreeing(now: number): Option.Option<OwnFreeing> {
    const window = this.windowMillis()
    let count = 0
    let oldest = Number.POSITIVE_INFINITY
    let newest = Number.NEGATIVE_INFINITY
    for (const { at } of this.sent) {
      if (at === Number.POSITIVE_INFINITY || at <= now - window) continue
      count++
      oldest = Math.min(oldest, at)
      newest = Math.max(newest, at)
    }
    return count === 0 ? Option.none() : Option.some({ count, firstMillis: oldest + window - now, lastMillis: newest + window - now })
  }
}

/**
 * Roughly how long until `requests` more requests fit above the reserve: none while nothing is
 * known; 0 when they fit now. Otherwise the budget frees as this client's own requests leave the
 * window, each a window after it was answered, taken as spread evenly between the oldest and the
 * newest: a sync's requests, made within minutes, free together a window later (read as freeing
 * over the whole window, a repeat of a short sync was told half the wait it then had). Past what
 * its own requests free, `limit - reserve` a window.
 */
export const budgetWaitFor = (status: RateBudgetStatus, requests: number): Option.Option<number> =>
  Option.flatMap(Option.all([status.limit, status.remaining, status.reserve]), ([limit, remaining, reserve]) => {
    const available = Math.max(0, remaining - reserve)
    if (requests <= available) return Option.some(0)
    const perWindow = limit - reserve
    if (perWindow <= 0) return Option.none()
    const deficit = requests - available
    const windowMillis = status.windowSeconds * 1000
    return Option.some(Option.match(status.ownFreeing, {
      onNone: () => Math.ceil(deficit / perWindow * windowMillis),
      onSome: ({ count, firstMillis, lastMillis }) =>
        deficit <= count
          ? Math.ceil(Math.max(0, firstMillis + (lastMillis - firstMillis) * (deficit / count)))
          : Math.ceil(Math.max(0, lastMillis) + (deficit - count) / perWindow * windowMillis)
    }))
  })
