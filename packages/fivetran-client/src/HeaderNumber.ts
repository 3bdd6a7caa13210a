/**
 * A header holding a whole number (`Retry-After` seconds, `X-Rate-Limit-Remaining`): Fivetran sends
 * decimal digits; anything else is treated as absent.
 */
export const parseWholeNumber = (header: string | undefined): number | undefined =>
  header !== undefined && /^\s*\d+\s*$/.test(header) ? Number(header) : undefined
