/**
 * A header holding a whole number (`Retry-After` seconds, `X-Rate-Limit-Remaining`): Fivetran sends
 * decimal digits; anything else is treated as absent.
 */
export const parseWholeNumber = (header: string | undefined): number | undefined =>
  header !== undefined && /^\s*\d+\s*$/.test(header) ? Number(header) : undefined

/**
 * A count the rate-limit budget can trust: a whole number up to `max`, by default the largest
 * JavaScript holds exactly (2^53 - 1). Beyond that, digits became 9007199254740992 or Infinity, and
 * an X-Rate-Limit of Infinity made an infinite reserve (every request refused) or, at a reserve of
 * 0, a NaN one (1 ms waits for ever); such a header is treated as absent.
 */
export const parseCount = (header: string | undefined, max: number = Number.MAX_SAFE_INTEGER): number | undefined => {
  const count = parseWholeNumber(header)
  return count !== undefined && count <= max ? count : undefined
}
