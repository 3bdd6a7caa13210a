/** Order statistics the bench scripts print: each figure is read over several runs or requests. */

const sorted = (values: ReadonlyArray<number>): ReadonlyArray<number> => [...values].sort((a, b) => a - b)

/** The middle value; the mean of the two middle ones for an even count. */
export const median = (values: ReadonlyArray<number>): number => {
  const ordered = sorted(values)
  const middle = ordered.length >> 1
  return ordered.length % 2 === 1 ? ordered[middle]! : (ordered[middle - 1]! + ordered[middle]!) / 2
}

/** The nearest-rank percentile: the value below which `p`% of the values lie (p99 of 100 values is the largest). */
export const percentile = (values: ReadonlyArray<number>, p: number): number => {
  const ordered = sorted(values)
  return ordered[Math.min(ordered.length - 1, Math.floor((p / 100) * ordered.length))]!
}

/** `min-max`, each with `digits` decimals. */
export const range = (values: ReadonlyArray<number>, digits: number): string =>
  `${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`
