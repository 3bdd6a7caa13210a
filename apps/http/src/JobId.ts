import { DateTime, Effect, Option, Random } from "effect"

/**
 * Job ids: the creation time (sortable, readable) and a random suffix, `20261128T171500Z-3f9a`.
 * A file in the data directory named with one is the service's own; it reads the creation time
 * back from it when a job's metadata is lost (SyncJobs.ts).
 */

export const makeJobId = Effect.gen(function*() {
  const now = yield* DateTime.now
  const stamp = DateTime.formatIso(now).replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")
  const suffix = (yield* Random.nextIntBetween(0, 0x10000)).toString(16).padStart(4, "0")
  return `${stamp}-${suffix}`
})

const generated = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-[0-9a-f]{4}$/

/** The creation time a generated id holds, to the second; none for any other name. */
export const createdAtOf = (id: string): Option.Option<string> =>
  Option.map(
    Option.fromNullable(generated.exec(id)),
    ([, year, month, day, hour, minute, second]) => `${year}-${month}-${day}T${hour}:${minute}:${second}.000Z`
  )
