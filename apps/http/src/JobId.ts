import { DateTime, Effect, Option, Random } from "effect"

/**
 * Job ids: the creation time (sortable, readable) and a random suffix, `20261128T171500Z-3f9a`.
 * A file in the data directory named with one is the service's own; it reads the creation time
 * back from it when a job's metadata is lost (SyncJobs.ts).
 */

/**
 * A new job's creation time: `now`, or 1 ms after the newest job's when the clock reads no later.
 * Jobs are ordered by it (the newest sync is the one queries read and retention keeps): after the
 * clock was set back an hour (NTP correcting a clock that ran ahead, a VM restored), each new sync
 * sorted as the oldest, so queries kept reading the one before and retention deleted the new one.
 */
export const creationTime = (now: number, newest: Option.Option<string>): number =>
  Option.match(Option.flatMap(newest, (text) => Option.map(DateTime.make(text), DateTime.toEpochMillis)), {
    onNone: () => now,
    onSome: (newestMillis) => Math.max(now, newestMillis + 1)
  })

export const makeJobId = (createdAt: number) =>
  Effect.map(Random.nextIntBetween(0, 0x10000), (suffix) => {
    const stamp = DateTime.formatIso(DateTime.unsafeMake(createdAt)).replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")
    return `${stamp}-${suffix.toString(16).padStart(4, "0")}`
  })

const generated = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-[0-9a-f]{4}$/

/** The creation time a generated id holds, to the second; none for any other name. */
export const createdAtOf = (id: string): Option.Option<string> =>
  Option.map(
    Option.fromNullable(generated.exec(id)),
    ([, year, month, day, hour, minute, second]) => `${year}-${month}-${day}T${hour}:${minute}:${second}.000Z`
  )
