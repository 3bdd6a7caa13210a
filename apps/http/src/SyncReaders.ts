import { type C1zReader, openC1z } from "@baton-fivetran/c1z"
import { NotFound } from "@baton-fivetran/http-api"
import { Duration, Effect, Option, type Scope, ScopedCache } from "effect"
import { SyncJobs } from "./SyncJobs.js"

/**
 * Open readers of kept syncs, shared by the query and the review endpoints. Opening one copies and
 * indexes the sync's database, so a few stay open for a while and every request reads through the
 * same ones (a diff holds two at once).
 */
export class SyncReaders extends Effect.Service<SyncReaders>()("baton-http/SyncReaders", {
  scoped: Effect.gen(function*() {
    const jobs = yield* SyncJobs
    const readers = yield* ScopedCache.make({
      lookup: (syncId: string) => openC1z(jobs.filePath(syncId)),
      capacity: 4,
      timeToLive: Duration.minutes(10)
    })
    const noSyncYet = new NotFound({
      message: "no sync has finished yet; start one with POST /v1/syncs and wait for it to succeed"
    })
    return {
      /** The reader of a kept sync, open for the caller's scope; a file that cannot be read back is a server fault (500). */
      reader: (syncId: string): Effect.Effect<C1zReader, never, Scope.Scope> => Effect.orDie(readers.get(syncId)),
      /** The id of the latest successful sync, or NotFound while there is none. */
      latest: Effect.flatMap(jobs.latestSucceeded, (job) =>
        Option.match(job, {
          onNone: () => Effect.fail(noSyncYet),
          onSome: (found) => Effect.succeed(found.id)
        }))
    } as const
  })
}) {}
