/** Something with an id and a `created_at` timestamp (a user, a group, a connection). */
export interface Created {
  readonly id: string
  readonly created_at: string
}

const FRACTION = /\.(\d+)/

/**
 * Microseconds since the epoch of an ISO-8601 timestamp. Compared as text, `…:00Z` would sort
 * after `…:00.000001Z` ('Z' > '.'); a snapshot file may mix precisions. Text that is no date
 * sorts last.
 */
export const instantMicros = (timestamp: string): number => {
  const millis = Date.parse(timestamp)
  if (Number.isNaN(millis)) return Number.POSITIVE_INFINITY
  const belowMillis = (FRACTION.exec(timestamp)?.[1] ?? "").padEnd(6, "0").slice(3, 6)
  return millis * 1000 + Number(belowMillis)
}

/**
 * `items` sorted by `created_at`, oldest first, ties by id: the order Fivetran gives group user
 * lists (docs/fivetran-api.md §1.6). The id makes the order total, so pages cut from it are stable.
 */
export const byCreation = <A extends Created>(items: Iterable<A>): Array<A> =>
  Array.from(items, (item) => ({ item, at: instantMicros(item.created_at) }))
    .sort((a, b) => (a.at !== b.at ? (a.at < b.at ? -1 : 1) : a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0))
    .map(({ item }) => item)
