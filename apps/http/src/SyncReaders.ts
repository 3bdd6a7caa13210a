import { type C1zError, type C1zReader, errorCode, isC1zError, type WorkingCopyFailed } from "@baton-fivetran/c1z"
import { NotFound, StorageUnavailable } from "@baton-fivetran/http-api"
import { Cause, Duration, Effect, Exit, Fiber, Option, Ref, Scope, ScopedCache, Stream } from "effect"
import { isDamagedSyncFile } from "./DamagedSyncFile.js"
import { ServiceStopping } from "./ServiceStopping.js"
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
 * The `.c1z` itself could not be read for a reason the operator can fix (its permissions, a failing
 * disk): the sync is kept as it is.
 */
const fileUnavailable = (syncId: string, code: string | undefined) =>
  new StorageUnavailable({
    message: `cannot read sync ${syncId}: the service could not read its .c1z in the data directory (${
      code ?? "error"
    }); the operator must make the data directory's files readable by the service; then this request works`
  })

/**
 * A kept reader's working copy was found damaged in a read (a tmp cleaner, a failing disk): the
 * reader has left the cache, so the same request sent again reads a fresh copy of the `.c1z`.
 */
const workingCopyDamaged = (syncId: string) =>
  new StorageUnavailable({
    message: `cannot read sync ${syncId}: the service's working copy of it in its temporary directory was damaged while ` +
      "it was read (its .c1z is fine); send the request again; if this recurs, the operator must check that directory's " +
      "disk and any tmp cleaner that cuts or removes files there (docs/deploy.md)"
  })

/** `reader`, with `onFailure` run as any of its reads fails, before the failure goes on to the read's caller. */
const reportingFailedReads = (reader: C1zReader, onFailure: () => Effect.Effect<void>): C1zReader => {
  const rows = <A>(stream: Stream.Stream<A, C1zError>) => Stream.tapError(stream, onFailure)
  const read = <A>(effect: Effect.Effect<A, C1zError>) => Effect.tapError(effect, onFailure)
  const { sorted } = reader
  return {
    path: reader.path,
    syncRun: reader.syncRun,
    resourceTypes: rows(reader.resourceTypes),
    resources: (filter) => rows(reader.resources(filter)),
    entitlements: (filter) => rows(reader.entitlements(filter)),
    grants: (filter) => rows(reader.grants(filter)),
    getResource: (id) => read(reader.getResource(id)),
    getEntitlement: (id) => read(reader.getEntitlement(id)),
    getGrant: (id) => read(reader.getGrant(id)),
    sorted: {
      resources: (options) => rows(sorted.resources(options)),
      entitlements: (options) => rows(sorted.entitlements(options)),
      grants: (options) => rows(sorted.grants(options)),
      grantsOf: (principal, options) => rows(sorted.grantsOf(principal, options)),
      holdersOf: (entitlementId, options) => rows(sorted.holdersOf(entitlementId, options)),
      principalsWithoutResource: (principalType) => read(sorted.principalsWithoutResource(principalType))
    }
  }
}

/**
 * Open readers of kept syncs, shared by the query and the review endpoints. Opening one copies and
 * indexes the sync's database (WorkingCopies.ts), so a few stay open for a while and every request
 * reads through the same ones (a diff holds two at once). A failed open is not kept: the next
 * request tries again, so a disk freed by the operator serves at once. A reader whose read fails is
 * dropped (dropBroken).
 */
export class SyncReaders extends Effect.Service<SyncReaders>()("baton-http/SyncReaders", {
  scoped: Effect.gen(function*() {
    const jobs = yield* SyncJobs
    const copies = yield* WorkingCopies
    const readers = yield* ScopedCache.makeWith({
      lookup: (syncId: string) =>
        Effect.map(copies.open(jobs.filePath(syncId)), (opened) => {
          const held: C1zReader = reportingFailedReads(opened, () => dropBroken(syncId, held))
          return held
        }),
      capacity: 4,
      timeToLive: (exit) => Exit.isSuccess(exit) ? readerLifetime : Duration.zero
    })
    /**
     * A read of a kept reader failed: its working copy is broken (cut short or removed by a tmp
     * cleaner, a failing disk), and every query of the sync failed with it for the reader's ten
     * minutes, though the `.c1z` was fine. It leaves the cache, unless a fresh one has replaced it
     * already; its copy is removed once the requests reading it end, and the next request opens
     * the `.c1z` again (a damaged one then fails its job, as at any open). The failed request's
     * own line has the error.
     */
    const dropBroken = (syncId: string, broken: C1zReader) =>
      Effect.flatMap(
        Effect.scoped(readers.getOptionComplete(syncId)),
        (current) => Option.exists(current, (held) => held === broken) ? readers.invalidate(syncId) : Effect.void
      )
    /** Syncs this process has opened once: their files could be read, and need no check again. */
    const opened = yield* Ref.make<ReadonlySet<string>>(new Set())
    // A deleted sync can never be read again: its working copy (~15 times its file) goes with it,
    // once the requests reading it are done, instead of holding a slot and the disk for minutes;
    // and its id leaves `opened`, which otherwise grew by one for every sync the service ever ran.
    const deletedJobs = yield* jobs.deletedJobs
    yield* Effect.forkScoped(Stream.runForEach(Stream.fromQueue(deletedJobs), (id) =>
      Effect.zipRight(
        readers.invalidate(id),
        Ref.update(opened, (known) => new Set(Array.from(known).filter((kept) => kept !== id)))
      )))
    const serviceScope = yield* Effect.scope
    /**
     * `syncId`'s reader, taken from the cache on a fiber of the service's own and held for the
     * caller's scope: an open runs on the fiber that asked first and is shared with the requests
     * arriving meanwhile, so one run on a request's fiber was interrupted when that client hung up
     * (the explorer cancels a replaced search) and failed them all with 499. Only the service's stop
     * interrupts that fiber (its scope closes, and the readers with it): the request is answered
     * 503 ServiceStopping, to be sent again, instead of with the interruption (a request's own
     * interruption is not caught here).
     */
    const openShared = (syncId: string) =>
      Effect.flatMap(Effect.scope, (callerScope) => Effect.forkIn(Scope.extend(readers.get(syncId), callerScope), serviceScope)).pipe(
        Effect.flatMap(Fiber.join),
        Effect.catchAllCause((cause) => Cause.isInterruptedOnly(cause) ? Effect.die(new ServiceStopping()) : Effect.failCause(cause))
      )
    const workingCopyFailed = (syncId: string, error: WorkingCopyFailed) =>
      Effect.logError("could not make the working copy of a sync").pipe(
        Effect.annotateLogs({ job: syncId, directory: copies.directory, error: error.message }),
        Effect.zipRight(Effect.fail(storageUnavailable(syncId, error)))
      )

    const noSyncYet = new NotFound({
      message: "no sync has finished yet; start one with POST /v1/syncs and wait for it to succeed"
    })

    /** Syncs did succeed, but every kept one was found damaged or removed: another sync is the way out. */
    const noReadableSync = (unreadable: number) =>
      new NotFound({
        message: `no sync can be read: ${
          unreadable === 1 ? "the only kept sync that succeeded" : `the ${unreadable} kept syncs that succeeded`
        } could not be read back (the .c1z was damaged or removed since the sync wrote it), so ${
          unreadable === 1 ? "its job is" : "their jobs are"
        } listed as failed now; start a new sync with POST /v1/syncs and wait for it to succeed`
      })

    /**
     * The reader of a kept sync, open for the caller's scope. A working copy that cannot be made, or
     * a file the service may not read, is StorageUnavailable (503); a file that is gone or cannot be
     * read back fails its job (SyncJobs.failUnreadable) and is NotFound.
     */
    const reader = (syncId: string): Effect.Effect<C1zReader, StorageUnavailable | NotFound, Scope.Scope> =>
      Effect.catchAll(
        openShared(syncId),
        (error): Effect.Effect<never, StorageUnavailable | NotFound> =>
          error._tag === "WorkingCopyFailed"
            ? workingCopyFailed(syncId, error)
            : isDamagedSyncFile(error)
            ? jobs.failUnreadable(syncId, error.message)
            : Effect.logError("could not read the .c1z of a sync").pipe(
              Effect.annotateLogs({ job: syncId, error: error.message }),
              Effect.zipRight(Effect.fail(fileUnavailable(syncId, errorCode(error.cause))))
            )
      )

    /**
     * A read of an open reader that failed. The file passed the open's checks (its zstd checksum
     * among them), so the failure is in the working copy: one that could not grow (a full
     * --temp-dir) or was damaged under the reader (a tmp cleaner, a failing disk; the reader has
     * left the cache) is the operator's disk, StorageUnavailable (503), and the request sent again
     * reads a fresh copy. Anything else is a bug, a 500 with the error in the log, as before.
     */
    const readFailed = (syncId: string) => (error: C1zError): Effect.Effect<never, StorageUnavailable> =>
      error._tag === "WorkingCopyFailed"
        ? workingCopyFailed(syncId, error)
        : error._tag === "WorkingCopyDamaged"
        ? Effect.logError("the working copy of a sync was damaged while it was read").pipe(
          Effect.annotateLogs({ job: syncId, directory: copies.directory, error: error.message }),
          Effect.zipRight(Effect.fail(workingCopyDamaged(syncId)))
        )
        : Effect.die(error)

    /**
     * The id of the newest successful sync that can be read, or NotFound while there is none. Its
     * file is opened the first time (the reader stays in the cache for the caller, whose request
     * would open it anyway); one that cannot be read is failed on the way, and the one before it is
     * tried. A later call costs no open, so a body kept by the caller is still answered from memory.
     */
    const latest: Effect.Effect<string, StorageUnavailable | NotFound> = Effect.flatMap(jobs.latestSucceeded, (job) =>
      Option.match(job, {
        onNone: () =>
          Effect.flatMap(jobs.unreadableSyncs, (unreadable) => Effect.fail(unreadable === 0 ? noSyncYet : noReadableSync(unreadable))),
        onSome: ({ id }) =>
          Effect.flatMap(Ref.get(opened), (ids) =>
            ids.has(id) ? Effect.succeed(id) : Effect.scoped(reader(id)).pipe(
              Effect.zipRight(Ref.update(opened, (known) => new Set(known).add(id))),
              Effect.as(id),
              Effect.catchTag("NotFound", () => latest)
            ))
      }))

    /** `use` of sync `syncId`'s reader, open for it alone; a read of it that fails is answered as readFailed says. */
    const withReader = <A, E, R>(syncId: string, use: (reader: C1zReader) => Effect.Effect<A, E | C1zError, R>) =>
      Effect.scoped(Effect.flatMap(reader(syncId), use)).pipe(Effect.catchIf(isC1zError, readFailed(syncId)))

    return { reader, readFailed, withReader, latest } as const
  })
}) {}
