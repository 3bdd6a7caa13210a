import { Option } from "effect"
import { parseWholeNumber } from "./HeaderNumber.js"
import { formatHttpDate, parseHttpDate } from "./HttpDate.js"

/** What a 429's or 503's `Retry-After` asks for, read when the answer arrived. */
export interface RetryAfter {
  /**
   * The wait, in seconds: the header's seconds (what Fivetran sends), or the time from the answer
   * until its date; none when absent, unreadable, or a date not after the answer.
   */
  readonly seconds: number | undefined
  /** The date it named (RFC 9110 §10.2.3: proxies and gateways send one), as IMF-fixdate. */
  readonly date: string | undefined
}

/**
 * Reads `Retry-After` as of `now` (Effect's clock when the answer arrived). A date at or before
 * `now` asks for no wait of its own, so the backoff applies, as with no header: such a date mostly
 * means the sender's clock is behind ours (or a cached answer), and retrying at once would spend
 * the call's attempts within milliseconds while the limit still holds.
 */
export const readRetryAfter = (header: string | undefined, now: number): RetryAfter => {
  const seconds = parseWholeNumber(header)
  // Past what a number holds exactly (10^400 read as Infinity), the greatest it does: as RFC 9111
  // §1.2.2 has caches read such delta-seconds. Longer than any wait, it still fails as too long.
  if (seconds !== undefined) return { seconds: Math.min(seconds, Number.MAX_SAFE_INTEGER), date: undefined }
  if (header === undefined) return { seconds: undefined, date: undefined }
  return Option.match(parseHttpDate(header, now), {
    onNone: () => ({ seconds: undefined, date: undefined }),
    onSome: (date) => ({ seconds: date > now ? (date - now) / 1000 : undefined, date: formatHttpDate(date) })
  })
}

/** The wait a `Retry-After` of `seconds` asks for in whole milliseconds (a date's seconds are a division by 1000, not always exact). */
export const retryAfterMillis = (seconds: number): number => Math.round(seconds * 1000)

/** `Retry-After 30s`, or `Retry-After <date>` for a date: how logs and errors quote the header. */
export const quoteRetryAfter = (seconds: number | undefined, date: string | undefined): string => `Retry-After ${date ?? `${seconds}s`}`
