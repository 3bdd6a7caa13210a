import { Schema } from "effect"

const dateTime = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/

const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)

const daysIn = (year: number, month: number) => month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31

/**
 * Whether `text` is an RFC 3339 date-time whose fields are in range: no 13th month, no 31 April, no
 * 25th hour. A leap second (`:60`), which RFC 3339 allows, is taken; the sync file, whose timestamps
 * have none, holds it as the next second.
 */
const isDateTime = (text: string): boolean => {
  const match = dateTime.exec(text)
  if (match === null) return false
  const [year, month, day, hour, minute, second, offsetHours = 0, offsetMinutes = 0] = match.slice(1).map((field) =>
    field === undefined ? 0 : Number(field)
  ) as [number, number, number, number, number, number, number?, number?]
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour <= 23 && minute <= 59 &&
    second <= 60 && offsetHours <= 23 && offsetMinutes <= 59
}

/**
 * A timestamp as Fivetran sends it (`2024-03-02T10:15:00.000000Z`). Checked when an answer is
 * decoded, so that a malformed one fails there, naming the endpoint and the field, instead of while
 * the sync file is written (or, out of range, being rolled over into another date).
 */
export const Timestamp = Schema.String.pipe(
  Schema.filter(isDateTime, { message: (issue) => `${JSON.stringify(issue.actual)} is not an RFC 3339 timestamp` })
)
