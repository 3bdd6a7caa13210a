import { Option } from "effect"

/**
 * HTTP-date (RFC 9110 §5.6.7), which proxies and gateways send in a 429's `Retry-After`: the
 * IMF-fixdate senders must use (`Sun, 06 Nov 1994 08:49:37 GMT`) and the two obsolete forms a
 * recipient must still accept, rfc850-date (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime-date
 * (`Sun Nov  6 08:49:37 1994`). Read strictly, by the grammar: `Date.parse` also reads `2027`,
 * `0.5` or `-5` as dates, and a header that only resembles one must stay unread, not become a wait.
 */

const monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const month = `(${monthNames.join("|")})`
const dayName = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
const dayNameLong = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
const timeOfDay = "(\\d{2}):(\\d{2}):(\\d{2})"

// The day name is checked for its spelling only, as Go's net/http and most readers do: a wrong
// weekday beside a valid date still names that date.
const imfFixdate = new RegExp(`^${dayName}, (\\d{2}) ${month} (\\d{4}) ${timeOfDay} GMT$`)
const rfc850Date = new RegExp(`^${dayNameLong}, (\\d{2})-${month}-(\\d{2}) ${timeOfDay} GMT$`)
const asctimeDate = new RegExp(`^${dayName} ${month} (\\d{2}| \\d) ${timeOfDay} (\\d{4})$`)

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
const daysIn = (year: number, monthIndex: number) =>
  monthIndex === 1 ? (isLeapYear(year) ? 29 : 28) : [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][monthIndex]!

interface Fields {
  readonly year: number
  readonly month: string
  readonly day: string
  readonly hour: string
  readonly minute: string
  readonly second: string
}

/** The instant the fields name; none for a day the month lacks or a time past 23:59:60 (60: a leap second). */
const instant = (fields: Fields): Option.Option<number> => {
  const monthIndex = monthNames.indexOf(fields.month)
  const [day, hour, minute, second] = [fields.day, fields.hour, fields.minute, fields.second].map(Number)
  if (day < 1 || day > daysIn(fields.year, monthIndex) || hour > 23 || minute > 59 || second > 60) return Option.none()
  // Not Date.UTC: it reads years 0-99 as 1900-1999.
  const date = new Date(0)
  date.setUTCFullYear(fields.year, monthIndex, day)
  date.setUTCHours(hour, minute, second, 0)
  return Option.some(date.getTime())
}

/**
 * rfc850-date's two-digit year (RFC 9110 §5.6.7): the year with those digits that is at most 50
 * years after `now`'s.
 */
const fullYear = (twoDigits: number, now: number): number => {
  const current = new Date(now).getUTCFullYear()
  const year = current - (current % 100) + twoDigits
  return year > current + 50 ? year - 100 : year
}

/** Milliseconds since the epoch of an HTTP-date; none for any other text. `now` places rfc850-date's two-digit year. */
export const parseHttpDate = (text: string, now: number): Option.Option<number> => {
  const trimmed = text.trim()
  const fixed = imfFixdate.exec(trimmed)
  if (fixed !== null) {
    const [, day, month, year, hour, minute, second] = fixed
    return instant({ year: Number(year), month, day, hour, minute, second })
  }
  const rfc850 = rfc850Date.exec(trimmed)
  if (rfc850 !== null) {
    const [, day, month, year, hour, minute, second] = rfc850
    return instant({ year: fullYear(Number(year), now), month, day, hour, minute, second })
  }
  const asctime = asctimeDate.exec(trimmed)
  if (asctime !== null) {
    const [, month, day, hour, minute, second, year] = asctime
    return instant({ year: Number(year), month, day: day.trim(), hour, minute, second })
  }
  return Option.none()
}

/** An instant as IMF-fixdate, `Wed, 21 Oct 2026 07:28:00 GMT`: how messages quote a date whatever form it came in. */
export const formatHttpDate = (millis: number): string => new Date(millis).toUTCString()
