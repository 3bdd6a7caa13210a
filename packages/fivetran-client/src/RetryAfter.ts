import { Option } from "effect"
import { parseWholeNumber } from "./HeaderNumber.js"
import { formatHttpDate, parseHttpDate } from "./HttpDate.js"

/**
 * What a `Retry-After` date is counted from: the answer's own `Date` (RFC 9110 §10.2.3's intent: both
 * are the sender's clock, so a host whose clock is off still waits what was asked), or this
 * machine's clock when the answer's `Date` is missing or unreadable.
 */
export type RetryAfterBase = "answer-date" | "clock"

/** What a 429's or 503's `Retry-After` asks for, read when the answer arrived. */
export interface RetryAfter {
  /**
   * The wait, in seconds: the header's seconds (what Fivetran sends), or the time from the answer
   * until its date; none when absent, unreadable, or a date not after the answer.
   */
  readonly seconds: number | undefined
  /** The date it named (RFC 9110 §10.2.3: proxies and gateways send one), as IMF-fixdate. */
  readonly date: string | undefined
  /** What a date was counted from; none for seconds. */
  readonly from: RetryAfterBase | undefined
}

const noWait: RetryAfter = { seconds: undefined, date: undefined, from: undefined }

/**
 * Reads `Retry-After` as of the answer's `Date` header, or of `now` (Effect's clock when the answer
 * arrived) without a readable one. A date at or before that asks for no wait of its own, so the
 * backoff applies, as with no header: such a date mostly means a cached answer or a sender whose
 * clocks disagree, and retrying at once would spend the call's attempts within milliseconds while
 * the limit still holds.
 */
export const readRetryAfter = (header: string | undefined, answerDate: string | undefined, now: number): RetryAfter => {
  const seconds = parseWholeNumber(header)
  // Past what a number holds exactly (10^400 read as Infinity), the greatest it does: as RFC 9111
  // §1.2.2 has caches read such delta-seconds. Longer than any wait, it still fails as too long.
  if (seconds !== undefined) return { seconds: Math.min(seconds, Number.MAX_SAFE_INTEGER), date: undefined, from: undefined }
  if (header === undefined) return noWait
  return Option.match(parseHttpDate(header, now), {
    onNone: () => noWait,
    onSome: (date) => {
      const sent = answerDate === undefined ? Option.none() : parseHttpDate(answerDate, now)
      const [from, base]: [RetryAfterBase, number] = Option.isSome(sent) ? ["answer-date", sent.value] : ["clock", now]
      return { seconds: date > base ? (date - base) / 1000 : undefined, date: formatHttpDate(date), from }
    }
  })
}

/** The wait a `Retry-After` of `seconds` asks for in whole milliseconds (a date's seconds are a division by 1000, not always exact). */
export const retryAfterMillis = (seconds: number): number => Math.round(seconds * 1000)

/** `Retry-After 30s`, or `Retry-After <date>` for a date: how logs and errors quote the header. */
export const quoteRetryAfter = (seconds: number | undefined, date: string | undefined): string => `Retry-After ${date ?? `${seconds}s`}`
