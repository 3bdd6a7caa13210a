import type { C1zReader, WorkingCopyFailed } from "@baton-fivetran/c1z"
import { NotFound, StorageUnavailable } from "@baton-fivetran/http-api"
import { Duration, Effect, Exit, Option, type Scope, ScopedCache } from "effect"
import { SyncJobs } from "./SyncJobs.js"
import { WorkingCopies } from "./WorkingCopies.js"

/** How long an open reader is kept for the requests after the one that opened it. */
const readerLifetime = Duration.minutes(10)

/**
 * What the caller of a query is told when its sync's working copy cannot be made: the sync is fine,
 * the operator has a disk to fix. The directory itself is named in the log only, as server paths
 * are nowhere in answers.
 */
const storageUnavailable = (syncId: string, error: WorkingCopyFailed) =>
  new StorageUnavailable({
    message:
      `cannot read sync ${syncId}: the service could not make its working copy in its temporary directory (${
        error.code ?? "error"
      }); the operator must make that directory writable with free space, or set --temp-dir (BATON_HTTP_TEMP_DIR) ` +
      "to one (docs/deploy.md); then this request works"
  })

/**
 * Open readers of kept syncs, shared by the query and the review endpoints. Opening one copies and
 * indexes the sync's database (WorkingCopies.ts), so a few stay open for a while and every request
 * reads through the same ones (a diff holds two at once). A failed open is not kept: the next
 * request tries again, so a disk freed by the operator serves at once.
 */
export class SyncReaders extends Effect.Service<SyncReaders>()("baton-http/SyncReaders", {
  scoped: Effect.gen(function*() {
    const jobs = yield* SyncJobs
    const copies = yield* WorkingCopies
    const readers = yield* ScopedCache.makeWith({
      lookup: (syncId: string) => copies.open(jobs.filePath(syncId)),
      capacity: 4,
      timeToLive: (exit) => Exit.isSuccess(exit) ? readerLifetime : Duration.zero
    })
    const noSyncYet = new NotFound({
      message: "no sync has finished yet; start one with POST /v1/syncs and wait for it to succeed"
    })
    return {
      /**
       * The reader of a kept sync, open for the caller's scope. A working copy that cannot be made is
       * StorageUnavailable (503); a file that cannot be read back is a server fault (500).
       */
      reader: (syncId: string): Effect.Effect<C1zReader, StorageUnavailable, Scope.Scope> =>
        Effect.catchAll(readers.get(syncId), (error) =>
          error._tag === "WorkingCopyFailed"
            ? Effect.logError("could not make the working copy of a sync").pipe(
              Effect.annotateLogs({ job: syncId, directory: copies.directory, error: error.message }),
              Effect.zipRight(Effect.fail(storageUnavailable(syncId, error)))
            )
            : Effect.die(error)),
      /** The id of the latest successful sync, or NotFound while there is none. */
      latest: Effect.flatMap(jobs.latestSucceeded, (job) =>
        Option.match(job, {
          onNone: () => Effect.fail(noSyncYet),
          onSome: (found) => Effect.succeed(found.id)
        }))
    } as const
  })
}) {}
