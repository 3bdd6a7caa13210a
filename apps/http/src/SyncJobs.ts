import { ksuid } from "@baton-fivetran/c1z"
import {
  progressLogFields,
  setLastFailedSync,
  setLastSuccessfulSync,
  SyncEngine,
  syncFailureReasonOf,
  type SyncProgress,
  type SyncSummary
} from "@baton-fivetran/connector-core"
import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { FileSystem, Path } from "@effect/platform"
import {
  Array as Arr,
  Cause,
  Clock,
  DateTime,
  Duration,
  Effect,
  Exit,
  Fiber,
  FiberMap,
  LogLevel,
  Option,
  Order,
  PubSub,
  Ref,
  Schema,
  SynchronizedRef
} from "effect"
import { NotFound, SyncInProgress, SyncJob } from "@baton-fivetran/http-api"
import { fileKindName, isSystemError, makePrivateDirectory, temporaryTargetOf, writeFileAtomically } from "@baton-fivetran/settings"
import { DataDirLock, staleBefore } from "./DataDirLock.js"
import { createdAtOf, creationTime, makeJobId } from "./JobId.js"
import { makeOlderDataDirOwnerOnly, makeOlderJobFilesOwnerOnly } from "./OlderFileModes.js"
import { jobWithoutFile, rebuildJob } from "./RebuiltJob.js"
import { ServiceConfig } from "./ServiceConfig.js"
import { syncFileSink } from "./SyncFileSink.js"
import { countSyncJobEnd, registerSyncJobSeries, succeededEnd, type SyncJobEnd } from "./SyncJobMetrics.js"
import { WorkingCopies } from "./WorkingCopies.js"

/**
 * Sync jobs: one at a time, run in the background by the service's own scope, so stopping the
 * service interrupts a running sync (the c1z writer then removes its temporary file and the
 * previous files stay as they were). Each job's metadata is a JSON file beside its `.c1z`
 * (`<data dir>/<id>.json`, written atomically), so a restart still lists finished syncs; progress
 * is kept in memory only and written with each status change. Both files are owner-only (0600), and
 * so is a data directory the service makes (0700): they hold every user's email and access.
 */

export interface StartOptions {
  /**
   * Run with the job's final record when it ends, before retention may delete it (SyncSchedule
   * keeps its last run's). It must not call SyncJobs.
   */
  readonly onEnd?: (job: SyncJob) => Effect.Effect<void>
}

interface Active {
  readonly id: string
  readonly onEnd: (job: SyncJob) => Effect.Effect<void>
}

interface State {
  readonly jobs: ReadonlyMap<string, SyncJob>
  /** The queued or running job, if any. */
  readonly active: Option.Option<Active>
}

const finished = (job: SyncJob) => job.status === "succeeded" || job.status === "failed" || job.status === "cancelled"

/** `active`, ended if it is job `id`'s: another job's stays. */
const withoutActive = (active: Option.Option<Active>, id: string) => Option.filter(active, (held) => held.id !== id)

const newestFirst = Order.reverse(Order.combine(
  Order.mapInput(Order.string, (job: SyncJob) => job.created_at),
  Order.mapInput(Order.string, (job: SyncJob) => job.id)
))

const decodeJob = Schema.decodeUnknownOption(Schema.parseJson(SyncJob))
const encodeJob = Schema.encodeSync(Schema.parseJson(SyncJob, { space: 2 }))

const nowIso = Effect.map(DateTime.now, DateTime.formatIso)

/**
 * A temporary file of `persist`'s, for `<job id>.json`: `writeFileAtomically`'s name, or the
 * `<job id>.json.<pid>.tmp` of builds before 2026-12-02; other names are not the service's own.
 */
const olderMetadataTemp = /^(.+\.json)\.\d+\.tmp$/
const isMetadataTemp = (name: string) =>
  Option.orElse(temporaryTargetOf(name), () => Option.fromNullable(olderMetadataTemp.exec(name)?.[1])).pipe(
    Option.flatMap((target) => Option.fromNullable(/^(.+)\.json$/.exec(target)?.[1])),
    Option.flatMap(createdAtOf),
    Option.isSome
  )

/** The job whose `.c1z` a c1z writer's scratch file (`.<id>.c1z.<pid>.<random>.*`) was for. */
const scratchJobId = (name: string) => Option.fromNullable(/^\.(.+?)\.c1z\./.exec(name)?.[1])

const cancelledMessage = "cancelled before it finished; no file was kept"

const unreadableMessage = "its .c1z could not be read back (damaged or removed since the sync wrote it); " +
  "queries read the newest sync that can be read, and the file is deleted with the older failed jobs"

/** Whether `job` was failed because its `.c1z` could not be read back after it succeeded. */
export const isUnreadable = (job: SyncJob) => job.status === "failed" && job.error === unreadableMessage

/**
 * The last-failed-sync alert's gauge: the end of the newest failed job of `jobs` (0 with none), so
 * that it holds across restarts as the last successful sync's does. A job listed failed because its
 * `.c1z` could not be read back is left out: its sync succeeded.
 */
const publishLastFailed = (jobs: Iterable<SyncJob>) =>
  setLastFailedSync(
    Array.from(jobs).reduce(
      (newest, job) =>
        job.status === "failed" && !isUnreadable(job) && job.finished_at !== null
          ? Math.max(newest, Date.parse(job.finished_at))
          : newest,
      0
    )
  )

/** What a query of such a sync answers, the first time (when it is found so) and every time after. */
export const unreadableSync = (id: string) =>
  new NotFound({
    message: `sync ${id} cannot be read: its .c1z was damaged or removed since the sync wrote it, ` +
      "so it is listed as failed now; queries without page_token read the newest sync that can be read"
  })

/**
 * How often a running job logs its progress: the job API has it, but a log reader saw nothing
 * between a job's start and its end, however long it ran. Fixed, as the CLI's (30 s).
 */
const ProgressLogInterval = Duration.seconds(30)

/** A sync the service's own stop ended (SIGTERM, a rollout), told apart from a cancel someone asked for. */
const shutdownMessage = "cancelled by the service's shutdown before it finished; no file was kept"

/**
 * SyncFailed's and SinkError's messages say what went wrong and what to do, without server paths
 * (SyncFileSink.ts). A defect is a bug, and its text may say anything: the job says so, and the
 * log line has the text.
 */
const failureMessage = (cause: Cause.Cause<unknown>): string =>
  Option.match(Cause.failureOption(cause), {
    onSome: (error) => error instanceof Error ? error.message : String(error),
    onNone: () => "internal error (a bug in the service); the service's log has the details"
  })

/** The text of a bug's defect, for the log alone (the job says only that it was a bug). */
const defectText = (cause: Cause.Cause<unknown>): string => {
  const defect = Cause.squash(cause)
  return defect instanceof Error ? defect.message : String(defect)
}

/**
 * A job that did not succeed leaves one warning with its id, error (the errors hold no secrets)
 * and the `reason` its end is counted by, the word a log alert matches on as the CLI's failed and
 * interrupted sync lines have it. A bug's, or a sync file's that could not be written, is at error
 * and adds as `cause` what the job's error leaves out (the defect's text; the writer's failure
 * naming its file): the one line says what the job says and what it does not.
 */
const logEnd = (job: SyncJob, end: SyncJobEnd, cause: Option.Option<string> = Option.none()) =>
  job.status === "failed" || job.status === "cancelled"
    ? Effect.logWithLevel(Option.isSome(cause) ? LogLevel.Error : LogLevel.Warning, `sync job ${job.status}`).pipe(
      Effect.annotateLogs({
        job: job.id,
        error: job.error,
        reason: end.reason,
        ...Option.match(cause, { onNone: () => ({}), onSome: (text) => ({ cause: text }) })
      })
    )
    : job.status === "succeeded" && job.summary !== null
    // A success says so too, with the counts a log search wants beside it: an operator who follows
    // the job lines saw a failure end but a success only as the writer's 'wrote the sync file'.
    ? Effect.logInfo("sync job succeeded").pipe(
      Effect.annotateLogs({
        job: job.id,
        grants: job.summary.grants.direct + job.summary.grants.derived,
        entitlements: job.summary.entitlements,
        requests: job.summary.requests,
        warnings: job.summary.warnings.length,
        duration_ms: job.summary.durationMillis
      })
    )
    : Effect.void

export class SyncJobs extends Effect.Service<SyncJobs>()("baton-http/SyncJobs", {
  scoped: Effect.gen(function*() {
    // Held before anything here reads or removes a file of the directory, released after the stop.
    const lock = yield* DataDirLock
    const config = yield* ServiceConfig
    const copies = yield* WorkingCopies
    const engine = yield* SyncEngine
    const client = yield* FivetranClient
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path

    const filePath = (id: string) => path.join(config.dataDir, `${id}.c1z`)
    const metaPath = (id: string) => path.join(config.dataDir, `${id}.json`)

    /**
     * `write`, unless another process has taken the data directory over (this one was paused past the
     * lock's staleness, and stops): the job it was running is that one's to end, which it listed
     * failed (interrupted) at its start. This process's cancelled record replaced that, and its
     * retention deleted files beside the new holder.
     */
    const whileHeld = (job: string, write: Effect.Effect<void>) =>
      Effect.flatMap(lock.held, (held) =>
        held
          ? write
          : Effect.logWarning("sync job record not written").pipe(
            Effect.annotateLogs({
              job,
              reason: "this process no longer holds the data directory's lock (another took it over, or it was removed)"
            })
          ))

    const writeRecord = (job: SyncJob) =>
      writeFileAtomically(metaPath(job.id), encodeJob(job)).pipe(
        Effect.provideService(FileSystem.FileSystem, fs),
        Effect.provideService(Path.Path, path)
      )

    /**
     * The latest record of each job whose record could not be written (a full or read-only disk).
     * Lost, a job that failed for want of room was unknown after a restart, and the last-failed-sync
     * gauge went back to an older failure (or to 0, clearing its alert): each is written again by the
     * next record write that works, and at the stop.
     */
    const unsaved = yield* Ref.make<ReadonlyMap<string, SyncJob>>(new Map())
    /**
     * One record write or job removal at a time: a record written again never lands after a newer
     * one of its job, nor after its job's deletion.
     */
    const recordTurn = yield* Effect.makeSemaphore(1)
    /** Job `id`'s unsaved record dropped, if it is `record` (by default, whichever it is). */
    const forget = (id: string, record?: SyncJob) =>
      Ref.update(unsaved, (jobs) =>
        jobs.has(id) && (record === undefined || jobs.get(id) === record)
          ? new Map(Array.from(jobs).filter(([kept]) => kept !== id))
          : jobs)

    const writeUnsaved = Effect.flatMap(Ref.get(unsaved), (jobs) =>
      Effect.forEach(jobs.values(), (job) =>
        whileHeld(
          job.id,
          recordTurn.withPermits(1)(
            Effect.flatMap(Ref.get(unsaved), (now) =>
              now.get(job.id) !== job ? Effect.void : writeRecord(job).pipe(
                Effect.zipRight(forget(job.id, job)),
                Effect.zipRight(
                  Effect.logInfo("wrote a sync job record that could not be written before").pipe(Effect.annotateLogs({ job: job.id }))
                ),
                Effect.ignore
              ))
          )
        ), { discard: true }))
    yield* Effect.addFinalizer(() => writeUnsaved)

    /** Metadata writes are best effort: a full disk must not fail or hide the job itself. */
    const persist = (job: SyncJob) =>
      whileHeld(
        job.id,
        Effect.flatMap(
          recordTurn.withPermits(1)(
            writeRecord(job).pipe(
              Effect.matchEffect({
                onFailure: (error) =>
                  Effect.as(
                    Effect.zipRight(
                      Ref.update(unsaved, (jobs) => new Map(jobs).set(job.id, job)),
                      Effect.logWarning("could not write sync job metadata").pipe(
                        Effect.annotateLogs({ job: job.id, error: error.message })
                      )
                    ),
                    false
                  ),
                onSuccess: () => Effect.as(forget(job.id), true)
              })
            )
          ),
          (written) => written ? writeUnsaved : Effect.void
        )
      )

    /** The jobs retention deleted, for whoever holds something of theirs (SyncReaders' open working copies). */
    const deleted = yield* PubSub.unbounded<string>()

    const removeJobFiles = (id: string) =>
      // A deleted job's record is not written again.
      recordTurn.withPermits(1)(Effect.zipRight(
        forget(id),
        Effect.flatMap(lock.held, (held) =>
          held
            ? Effect.all([fs.remove(filePath(id), { force: true }), fs.remove(metaPath(id), { force: true })], { discard: true })
              .pipe(
                Effect.catchAll((error) =>
                  Effect.logWarning("could not delete an old sync").pipe(Effect.annotateLogs({ job: id, error: error.message }))
                )
              )
            : Effect.void)
      ))

    yield* makePrivateDirectory(config.dataDir)

    /**
     * The temporary files of metadata writes cut off before their rename (a killed process). The
     * service holds its data directory alone (docs/deploy.md: one replica, its own volume) and has
     * written nothing yet, so each is a leftover whatever its pid (in a container every run may be
     * pid 1): the job's previous record, if any, is still in place.
     */
    const removeUnfinishedWrites = (names: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const [failures, removed] = yield* Effect.partition(
          names.filter(isMetadataTemp),
          (name) =>
            fs.remove(path.join(config.dataDir, name)).pipe(
              Effect.as(name),
              Effect.mapError((error) => `${name}: ${error.message}`)
            )
        )
        if (removed.length > 0) {
          yield* Effect.logWarning("removed temporary files of sync job metadata writes that never finished").pipe(
            Effect.annotateLogs({ files: removed.join(", ") })
          )
        }
        if (failures.length > 0) {
          yield* Effect.logWarning("could not remove temporary files of sync job metadata writes").pipe(
            Effect.annotateLogs({ error: failures.join("; ") })
          )
        }
      })

    /**
     * The c1z writer's scratch files that no interrupted job's record accounted for (its record was
     * deleted or damaged, or never written on a full disk): a killed sync's database, as large as
     * the sync, stayed forever, as retention deletes only the files of jobs it knows. Run once the
     * interrupted jobs have removed theirs; what is left is nobody's, the directory being this
     * process's alone.
     */
    const removeOrphanScratch = (names: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const [failures, removed] = yield* Effect.partition(
          names.filter((name) => Option.exists(scratchJobId(name), (id) => Option.isSome(createdAtOf(id)))),
          (name) =>
            fs.remove(path.join(config.dataDir, name)).pipe(
              Effect.as(Option.some(name)),
              Effect.catchIf(isSystemError("NotFound"), () => Effect.succeedNone),
              Effect.mapError((error) => `${name}: ${error.message}`)
            )
        )
        const orphans = Arr.getSomes(removed)
        if (orphans.length > 0) {
          yield* Effect.logWarning("removed the scratch files of syncs whose job has no record").pipe(
            Effect.annotateLogs({ files: orphans.join(", ") })
          )
        }
        if (failures.length > 0) {
          yield* Effect.logWarning("could not remove the scratch files of syncs whose job has no record").pipe(
            Effect.annotateLogs({ error: failures.join("; ") })
          )
        }
      })

    /**
     * A job whose record was rebuilt from its `.c1z`, written and logged once, the same way for each
     * cause. The line says what the file gave: read, it is the sync's record; damaged, the job is
     * failed (as when a query finds it so); unread for a cause the operator fixes, the job is
     * succeeded on the file's name and size alone (RebuiltJob.ts), and the line says so.
     */
    const recordRebuilt = (job: SyncJob, reason: string, error: Option.Option<string> = Option.none()) =>
      Effect.gen(function*() {
        yield* persist(job)
        const failed = job.status === "failed"
        const msg = failed
          ? "sync job listed as failed"
          : Option.isSome(error)
          ? "sync job listed as succeeded without reading its .c1z"
          : "sync job rebuilt from its .c1z"
        yield* Effect.logWarning(msg).pipe(
          Effect.annotateLogs({
            job: job.id,
            job_status: job.status,
            reason: failed ? `${reason}, and its .c1z could not be read back` : reason,
            ...Option.match(error, { onNone: () => ({}), onSome: (message) => ({ error: message }) })
          })
        )
        return job
      })

    /**
     * A `.c1z` named with a job id (`JobId.ts`) whose job has no readable metadata: listed again
     * from the file (`RebuiltJob.ts`), its metadata written anew, so that it is queried and in
     * time deleted by retention (unlisted, it was neither). Other files are not the service's own
     * and are left alone.
     */
    const adopt = (id: string, createdAt: string, metadataUnreadable: boolean) =>
      Effect.gen(function*() {
        const { job, unreadable } = yield* rebuildJob({
          id,
          createdAt,
          path: filePath(id),
          open: copies.open,
          syncConnections: config.syncConnections
        })
        return yield* recordRebuilt(
          job,
          metadataUnreadable ? "its metadata file could not be read" : "it had no metadata file",
          unreadable
        )
      })

    /**
     * `job` as succeeded, when a readable `.c1z` of it is there although its metadata says otherwise:
     * the file is renamed into place only once complete. What the metadata recorded stands; the file
     * adds how the sync ended.
     */
    const succeededFromFile = (job: SyncJob, names: ReadonlyArray<string>, reason: string) =>
      Effect.gen(function*() {
        if (!names.includes(`${job.id}.c1z`)) return Option.none<SyncJob>()
        const rebuilt = yield* rebuildJob({
          id: job.id,
          createdAt: job.created_at,
          path: filePath(job.id),
          open: copies.open,
          syncConnections: job.sync_connections
        })
        if (rebuilt.job.status !== "succeeded") return Option.none<SyncJob>()
        const done: SyncJob = {
          ...rebuilt.job,
          started_at: job.started_at ?? rebuilt.job.started_at,
          sync_connections: job.sync_connections
        }
        return Option.some(yield* recordRebuilt(done, reason, rebuilt.unreadable))
      })

    /**
     * When an interrupted job stopped, as near as the directory tells: the last refresh of the lock
     * this start took over from the stopped process (DataDirLock.ts; at most one refresh interval,
     * 10 s, before it stopped), but not before the job started nor after now (another host's clock).
     * Without such a lock (a process of a build before it, or a lock removed by hand) it is now, the
     * time of the start that noticed it; so too with a lock already stale when the job started, which
     * was not its process's: a killed newer process's, left while an older build without the lock
     * ran the job (a rollback), whose refresh said the job ended as it started.
     */
    const stoppedAt = (job: SyncJob) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const started = Date.parse(job.started_at ?? job.created_at)
        return Option.match(Option.filter(lock.takenOver, ({ refreshedAt }) => !staleBefore(refreshedAt, started)), {
          onNone: () => new Date(now).toISOString(),
          onSome: ({ refreshedAt }) => new Date(Math.min(now, Math.max(started, refreshedAt.getTime()))).toISOString()
        })
      })

    /**
     * A job still queued or running when the process stopped; its scratch files are removed. The
     * `.c1z` is renamed into place only once complete, so a readable one means the process stopped
     * between that rename and the final metadata write: the job succeeded, as its file says. Without
     * one (or with a file that cannot be read) the job was cut off, and is failed.
     */
    const interrupted = (job: SyncJob, names: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        // The c1z writer's scratch files (`.<id>.c1z.<pid>.<random>.*`) outlive a killed process.
        yield* Effect.forEach(
          names.filter((n) => Option.contains(scratchJobId(n), job.id)),
          (n) => fs.remove(path.join(config.dataDir, n), { force: true }).pipe(Effect.ignore),
          { discard: true }
        )
        const succeeded = yield* succeededFromFile(
          job,
          names,
          "the service stopped after its .c1z was complete, before its metadata said so"
        )
        // Its end is counted here: the process that ran it stopped before it could.
        if (Option.isSome(succeeded)) return yield* Effect.as(countSyncJobEnd(succeededEnd), succeeded.value)
        // A file there that did not read back stays until retention deletes it with the job: "no file was kept" was untrue.
        const failed: SyncJob = {
          ...job,
          status: "failed",
          finished_at: yield* stoppedAt(job),
          error: names.includes(`${job.id}.c1z`)
            ? "interrupted: the service stopped before it recorded this sync's end, and its .c1z cannot be read back; " +
              "the file is deleted with the older failed jobs"
            : "interrupted: the service stopped before this sync finished; no file was kept"
        }
        const end: SyncJobEnd = { outcome: "failed", reason: "interrupted" }
        yield* persist(failed)
        yield* logEnd(failed, end)
        yield* countSyncJobEnd(end)
        return failed
      })

    /**
     * Jobs from earlier runs, once unfinished metadata writes are cleared away. One that was still
     * running when the process stopped is ended (`interrupted`); a `.c1z` without readable metadata
     * is adopted.
     */
    const restore = Effect.gen(function*() {
      // Sorted, so that the start's warnings come in the jobs' order.
      const names = (yield* fs.readDirectory(config.dataDir)).sort()
      yield* removeUnfinishedWrites(names)
      yield* makeOlderDataDirOwnerOnly(config.dataDir)
      yield* makeOlderJobFilesOwnerOnly(config.dataDir, names)
      const jobs = new Map<string, SyncJob>()
      const unreadable = new Set<string>()
      for (const name of names.filter((n) => n.endsWith(".json"))) {
        const text = yield* fs.readFileString(path.join(config.dataDir, name)).pipe(Effect.option)
        const job = Option.flatMap(text, decodeJob)
        if (Option.isNone(job)) {
          unreadable.add(name.slice(0, -".json".length))
          continue
        }
        let restored = finished(job.value) ? job.value : yield* interrupted(job.value, names)
        if (restored.status === "cancelled") {
          // Builds before 2026-12-02 recorded a cancel that came during the file's rename as
          // cancelled, "no file was kept", beside the complete file, which retention then deleted.
          const kept = yield* succeededFromFile(restored, names, "it was recorded cancelled, but its .c1z was complete")
          if (Option.isSome(kept)) restored = kept.value
        }
        if (restored.status === "succeeded" && !(yield* fs.exists(filePath(restored.id)))) {
          restored = { ...restored, file_bytes: null }
        }
        jobs.set(restored.id, restored)
      }
      for (const name of names.filter((n) => n.endsWith(".c1z"))) {
        const id = name.slice(0, -".c1z".length)
        const createdAt = createdAtOf(id)
        if (jobs.has(id) || Option.isNone(createdAt)) continue
        jobs.set(id, yield* adopt(id, createdAt.value, unreadable.has(id)))
      }
      // Damaged metadata without a `.c1z` is written anew as a failed job, so that retention deletes
      // it in time and it is warned about once (left as it was, it was warned about at every start).
      for (const id of unreadable) {
        if (jobs.has(id)) continue
        const createdAt = createdAtOf(id)
        if (Option.isNone(createdAt)) {
          yield* Effect.logWarning("ignoring an unreadable sync job file").pipe(Effect.annotateLogs({ file: `${id}.json` }))
          continue
        }
        const job = jobWithoutFile({ id, createdAt: createdAt.value, syncConnections: config.syncConnections })
        yield* persist(job)
        yield* Effect.logWarning("sync job listed as failed").pipe(
          Effect.annotateLogs({ job: id, reason: "its metadata file could not be read and it has no .c1z" })
        )
        jobs.set(id, job)
      }
      yield* removeOrphanScratch(names)
      return jobs
    })

    const state = yield* SynchronizedRef.make<State>({ jobs: yield* restore, active: Option.none() })
    const running = yield* FiberMap.make<string, void, never>()
    // Finalizers run last-added first: this one is set before the map interrupts the running sync.
    const stopping = yield* Ref.make(false)
    yield* Effect.addFinalizer(() => Ref.set(stopping, true))

    const update = (id: string, change: (job: SyncJob) => SyncJob) =>
      SynchronizedRef.modify(state, (s) => {
        const job = s.jobs.get(id)
        if (job === undefined) return [Option.none<SyncJob>(), s]
        const next = change(job)
        return [Option.some(next), { ...s, jobs: new Map(s.jobs).set(id, next) }]
      })

    /**
     * The successful jobs past the newest `keepSyncs`, and the failed or cancelled ones past their own
     * newest `keepSyncs`. Counted together, a run of failures (Fivetran down for a few scheduled
     * syncs) pushed out the good files that diffs and page tokens still read.
     */
    const outdated = (jobs: ReadonlyMap<string, SyncJob>): ReadonlyArray<string> => {
      const done = Arr.sort(Array.from(jobs.values()).filter(finished), newestFirst)
      const [others, succeeded] = Arr.partition(done, (job) => job.status === "succeeded")
      const keep = new Set([...succeeded.slice(0, config.keepSyncs), ...others.slice(0, config.keepSyncs)].map((job) => job.id))
      return done.filter((job) => !keep.has(job.id)).map((job) => job.id)
    }

    /** Removes the outdated jobs' files, then drops them from the state. */
    const withoutOutdated = (jobs: Map<string, SyncJob>) =>
      Effect.forEach(
        outdated(jobs),
        (id) => removeJobFiles(id).pipe(Effect.zipRight(Effect.sync(() => jobs.delete(id))), Effect.zipRight(PubSub.publish(deleted, id))),
        { discard: true }
      )

    const prune = SynchronizedRef.updateEffect(state, (s) => {
      const jobs = new Map(s.jobs)
      return Effect.as(withoutOutdated(jobs), { ...s, jobs })
    })

    /**
     * Ends a job. Its final state, the end of `active` and the pruning become visible together, and
     * only once the old files are gone: whoever sees the job finished also sees the pruned data dir.
     * Its `onEnd` has run by then, so whoever keeps its record never misses it. `end` is counted
     * once, by the call that ends the job (a cancel and the run's own end may both come here).
     */
    const finish = (
      id: string,
      change: (job: SyncJob) => SyncJob,
      end: SyncJobEnd,
      cause: Option.Option<string> = Option.none()
    ) =>
      SynchronizedRef.updateEffect(state, (s) =>
        Effect.gen(function*() {
          const jobs = new Map(s.jobs)
          const job = jobs.get(id)
          if (job !== undefined) {
            const changed = change(job)
            // A finished job waits for nothing: its last progress may have been taken during a wait.
            const done = { ...changed, waiting: null, progress: changed.progress === null ? null : { ...changed.progress, waiting: null } }
            jobs.set(id, done)
            yield* persist(done)
            yield* logEnd(done, end, cause)
            if (!finished(job)) yield* countSyncJobEnd(end)
            if (end.outcome === "failed") yield* publishLastFailed(jobs.values())
            if (Option.isSome(s.active) && s.active.value.id === id) yield* s.active.value.onEnd(done)
          }
          yield* withoutOutdated(jobs)
          return { jobs, active: withoutActive(s.active, id) }
        }))

    // A restart with a smaller --keep-syncs applies it at once, not only after the next sync.
    yield* prune

    /** Progress, and the wait it shows: a 429 or reserve wait makes the job `waiting_for_rate_limit` until it ends. */
    const onProgress = (id: string) => (progress: SyncProgress) =>
      update(id, (job) => {
        if (finished(job)) return job
        const rateLimited = progress.waiting !== null && progress.waiting.kind !== "retry"
        return { ...job, progress, waiting: progress.waiting, status: rateLimited ? "waiting_for_rate_limit" : "running" }
      }).pipe(Effect.asVoid)

    /** The job's latest progress as one info line, if it has any yet. */
    const logProgress = (id: string) =>
      Effect.flatMap(SynchronizedRef.get(state), (s) => {
        const job = s.jobs.get(id)
        if (job === undefined || job.progress === null) return Effect.void
        return Effect.logInfo("sync job progress").pipe(
          Effect.annotateLogs({ job_status: job.status, ...progressLogFields(job.progress) })
        )
      })

    /** `effect`, with the job's progress logged every ProgressLogInterval while it runs. */
    const withProgressLog = (id: string) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.flatMap(
        Effect.fork(Effect.forever(Effect.zipRight(Effect.sleep(ProgressLogInterval), logProgress(id)))),
        (ticker) => Effect.ensuring(effect, Fiber.interrupt(ticker))
      )

    /** The size of a job's `.c1z`, if it is in place. */
    const fileBytes = (id: string) =>
      fs.stat(filePath(id)).pipe(
        Effect.map((info) => Option.some(Number(info.size))),
        Effect.orElseSucceed(() => Option.none<number>())
      )

    /**
     * A job's run. The engine runs in a fiber of its own, which the job awaits: a cancel or a stop
     * interrupts the job, which then interrupts the engine, unless the writer has already taken the
     * last row. From then on the writer only finishes the file and renames it into place, and the
     * job waits for it and succeeds with the engine's summary and final progress: cut there, the job
     * was listed succeeded from its file with no summary, its progress stale and the writer's
     * `wrote the sync file` line missing.
     */
    const runJob = (id: string, c1zSyncId: string, writeFailure: Ref.Ref<Option.Option<string>>): Effect.Effect<void> =>
      Effect.gen(function*() {
        const started = yield* nowIso
        // A cancel that came while the start was still recording the job has ended it: it does not run.
        const claimed = yield* update(id, (job) => finished(job) ? job : { ...job, status: "running", started_at: started })
        if (Option.isNone(claimed) || claimed.value.status !== "running") return
        yield* persist(claimed.value)
        const rowsTaken = yield* Ref.make(false)
        const run = engine.run({
          syncConnections: config.syncConnections,
          concurrency: config.concurrency,
          onProgress: onProgress(id)
        }).pipe(
          withProgressLog(id),
          Effect.provide(syncFileSink(
            filePath(id),
            { syncId: c1zSyncId, annotations: { exclusionGroups: config.exclusionGroups } },
            // The client outlives the job: the connections its lists left idle (up to one per
            // request in flight, ~60 at --concurrency 64) held a descriptor each through the file's
            // finish, which under a low `ulimit -n` failed there (EMFILE). No request of the job follows.
            Effect.zipRight(Ref.set(rowsTaken, true), client.closeIdleConnections),
            (fullText) => Ref.set(writeFailure, Option.some(fullText))
          ))
        )
        yield* Effect.uninterruptibleMask((restore) =>
          Effect.gen(function*() {
            const engineFiber = yield* Effect.forkDaemon(restore(run))
            const awaited = yield* Effect.exit(restore(Fiber.await(engineFiber)))
            if (Exit.isFailure(awaited)) {
              // This job was interrupted (a cancel, the stop) while the engine ran.
              if (!(yield* Ref.get(rowsTaken))) {
                yield* Fiber.interrupt(engineFiber)
                return yield* Effect.failCause(awaited.cause)
              }
              yield* Effect.logInfo("sync job finishing its file: the cancel or stop came after the last row was written")
            }
            const summary: SyncSummary = yield* Exit.isSuccess(awaited) ? awaited.value : yield* Fiber.await(engineFiber)
            const bytes = yield* fileBytes(id)
            const ended = yield* nowIso
            yield* finish(id, (job) => ({
              ...job,
              status: "succeeded",
              finished_at: ended,
              summary,
              file_bytes: Option.getOrNull(bytes)
            }), succeededEnd)
          })
        )
      }).pipe(
        Effect.catchAllCause((cause) =>
          Cause.isInterruptedOnly(cause)
            ? Effect.interrupt
            : Effect.gen(function*() {
              const ended = yield* nowIso
              yield* finish(
                id,
                (job) => ({ ...job, status: "failed", finished_at: ended, error: failureMessage(cause) }),
                { outcome: "failed", reason: syncFailureReasonOf(cause) },
                Option.isNone(Cause.failureOption(cause)) ? Option.some(defectText(cause)) : yield* Ref.get(writeFailure)
              )
            })
        ),
        Effect.onInterrupt(() =>
          Effect.gen(function*() {
            // A job the engine finished as it was interrupted (above) has its end already.
            if (Option.exists(Option.fromNullable((yield* SynchronizedRef.get(state)).jobs.get(id)), finished)) return
            const ended = yield* nowIso
            const shutdown = yield* Ref.get(stopping)
            // The writer renames the .c1z into place only after the last row, which the job then
            // waits for (above): a file here came from a rename already under way, and is not used.
            yield* Effect.flatMap(lock.held, (held) => held ? fs.remove(filePath(id)).pipe(Effect.ignore) : Effect.void)
            // A write that failed as the cancel came: its full text is on this line, or nowhere.
            yield* finish(
              id,
              (job) => ({ ...job, status: "cancelled", finished_at: ended, error: shutdown ? shutdownMessage : cancelledMessage }),
              { outcome: "cancelled", reason: shutdown ? "shutdown" : "requested" },
              yield* Ref.get(writeFailure)
            )
          })
        ),
        // finish() ends `active` on every path it takes; this covers any other way out. Only this
        // job's: a job cancelled before it ran ends here after the next one has taken its place.
        Effect.ensuring(SynchronizedRef.update(state, (s) => ({ ...s, active: withoutActive(s.active, id) })))
      )

    /**
     * A job's run, every log line and span of it naming the job and the sync id its `.c1z` records
     * (chosen here, so that it is known from the first line): a scheduled sync has no request id
     * to go by, and a started one's `request_id` names only the POST. Its fibers (the engine's, and
     * those the engine forks) do not log "Fiber terminated with an unhandled error" as they end with
     * its failure: the job awaits them and logs that failure once, as `sync job failed`, where at
     * debug two or three such lines beside it read as a crash.
     */
    const execute = (id: string): Effect.Effect<void> =>
      Effect.flatMap(Effect.all([Clock.currentTimeMillis, Ref.make(Option.none<string>())]), ([now, writeFailure]) => {
        const c1zSyncId = ksuid(new Date(now))
        return runJob(id, c1zSyncId, writeFailure).pipe(
          Effect.withUnhandledErrorLogLevel(Option.none()),
          Effect.annotateLogs({ job: id, c1z_sync_id: c1zSyncId }),
          Effect.annotateSpans({ "sync.job": id, "sync.c1z_sync_id": c1zSyncId })
        )
      })

    /**
     * Queues a job and runs it. Not interrupted part-way (a client hanging up on `POST /v1/syncs`
     * interrupts its handler): a job taken as active but never run held the slot for good, every
     * later start refused with SyncInProgress and every scheduled slot skipped.
     */
    const start = Effect.fn("SyncJobs.start")(function*(options: StartOptions = {}) {
      const now = yield* Clock.currentTimeMillis
      const job = yield* SynchronizedRef.modifyEffect(state, (s) =>
        Effect.gen(function*() {
          if (Option.isSome(s.active)) {
            const active = s.active.value.id
            return yield* new SyncInProgress({
              message: `sync ${active} is still running; wait for it or cancel it (POST /v1/syncs/${active}/cancel)`,
              job_id: active
            })
          }
          const createdAt = creationTime(
            now,
            Option.map(Arr.head(Arr.sort(Array.from(s.jobs.values()), newestFirst)), (newest) => newest.created_at)
          )
          const id = yield* makeJobId(createdAt)
          const queued: SyncJob = {
            id,
            status: "queued",
            created_at: DateTime.formatIso(DateTime.unsafeMake(createdAt)),
            started_at: null,
            finished_at: null,
            sync_connections: config.syncConnections,
            progress: null,
            waiting: null,
            summary: null,
            error: null,
            file_bytes: null
          }
          const active: Active = { id, onEnd: options.onEnd ?? (() => Effect.void) }
          return [queued, { jobs: new Map(s.jobs).set(id, queued), active: Option.some(active) }] as const
        }))
      yield* persist(job)
      yield* FiberMap.run(running, job.id, Effect.interruptible(execute(job.id)))
      return job
    }, Effect.uninterruptible)

    const get = Effect.fn("SyncJobs.get")(function*(id: string) {
      const s = yield* SynchronizedRef.get(state)
      const job = s.jobs.get(id)
      if (job === undefined) return yield* new NotFound({ message: `no sync job ${id}` })
      return job
    })

    const list = SynchronizedRef.get(state).pipe(
      Effect.map((s) => Arr.sort(Array.from(s.jobs.values()), newestFirst))
    )

    const cancel = Effect.fn("SyncJobs.cancel")(function*(id: string) {
      yield* get(id)
      const s = yield* SynchronizedRef.get(state)
      if (Option.exists(s.active, (active) => active.id === id)) {
        yield* FiberMap.remove(running, id)
        // A fiber interrupted before its first step never ran its own handlers: end it here.
        if (!finished(yield* get(id))) {
          const ended = yield* nowIso
          yield* finish(
            id,
            (job) => ({ ...job, status: "cancelled", finished_at: ended, error: cancelledMessage }),
            { outcome: "cancelled", reason: "requested" }
          )
        }
      }
      return yield* get(id)
    })

    /** The newest successful sync whose file is still kept. */
    const latestSucceeded = SynchronizedRef.get(state).pipe(
      Effect.map((s) =>
        Arr.findFirst(
          Arr.sort(Array.from(s.jobs.values()), newestFirst),
          (job) => job.status === "succeeded" && job.file_bytes !== null
        )
      )
    )

    /**
     * How many kept jobs succeeded but were failed since because their `.c1z` could not be read back
     * (failUnreadable; their metadata keeps its message across restarts): with no successful sync
     * left, queries say so rather than that no sync has finished yet.
     */
    const unreadableSyncs = SynchronizedRef.get(state).pipe(
      Effect.map((s) => Array.from(s.jobs.values()).filter(isUnreadable).length)
    )

    /** The stale-sync alert's gauge: the end of the newest successful sync kept (0 with none). */
    const publishLastSuccessful = Effect.flatMap(latestSucceeded, (latest) => {
      const end = Option.flatMap(latest, (job) => Option.flatMap(Option.fromNullable(job.finished_at), DateTime.make))
      return setLastSuccessfulSync(Option.match(end, { onNone: () => 0, onSome: DateTime.toEpochMillis }))
    })

    /**
     * Fails a succeeded job whose `.c1z` cannot be read back (damaged or removed by hand or by the
     * disk since its rename), and answers NotFound saying so: the job is failed from then on, so that
     * queries go to the newest sync that can be read (every query of it was a 500) and retention
     * deletes it with the failed jobs. `reason` is for the log only: it names server paths.
     */
    const failUnreadable = Effect.fn("SyncJobs.failUnreadable")(function*(id: string, reason: string) {
      const failed = yield* SynchronizedRef.modify(state, (s) => {
        const job = s.jobs.get(id)
        if (job === undefined || job.status !== "succeeded") return [Option.none<SyncJob>(), s]
        const next: SyncJob = { ...job, status: "failed", error: unreadableMessage, file_bytes: null }
        return [Option.some(next), { ...s, jobs: new Map(s.jobs).set(id, next) }]
      })
      if (Option.isSome(failed)) {
        yield* persist(failed.value)
        // The sync queries read now is older: a stale-sync alert sees its end, as after a restart.
        yield* publishLastSuccessful
        yield* Effect.logWarning("sync job listed as failed").pipe(
          Effect.annotateLogs({ job: id, reason: "its .c1z could not be read back", error: reason })
        )
      }
      return yield* unreadableSync(id)
    })

    /**
     * The file of a finished, successful sync, or NotFound saying why there is none. A file that is
     * gone, or not the size its sync wrote (cut short since), fails its job: served, it was a 500, or
     * a truncated download that the uploader took for the sync.
     */
    const fileOf = Effect.fn("SyncJobs.fileOf")(function*(id: string) {
      const job = yield* get(id)
      if (job.status !== "succeeded" || job.file_bytes === null) {
        return yield* new NotFound({
          message: job.status === "succeeded"
            ? `sync ${id} has no file any more (only the latest ${config.keepSyncs} are kept)`
            : `sync ${id} has no file: it is ${job.status}`
        })
      }
      const file = filePath(id)
      const problem = yield* fs.stat(file).pipe(
        Effect.map((info) =>
          info.type !== "File"
            ? Option.some(`${file} is ${fileKindName(info.type)}, not the file its sync wrote`)
            : Number(info.size) !== job.file_bytes
            ? Option.some(`${file} is ${info.size} bytes, not the ${job.file_bytes} bytes its sync wrote`)
            : Option.none()
        ),
        Effect.catchAll((error) => Effect.succeed(Option.some(error.message)))
      )
      if (Option.isSome(problem)) yield* failUnreadable(id, problem.value)
      return { job, path: file }
    })

    // A stale-sync alert compares this gauge with time(): from the start, not only after the next success.
    yield* publishLastSuccessful
    yield* Effect.flatMap(SynchronizedRef.get(state), (s) => publishLastFailed(s.jobs.values()))
    yield* registerSyncJobSeries

    return {
      start,
      get,
      list,
      cancel,
      latestSucceeded,
      unreadableSyncs,
      failUnreadable,
      fileOf,
      filePath,
      /** The ids of the jobs retention deletes from now on, for the caller's scope. */
      deletedJobs: PubSub.subscribe(deleted)
    } as const
  })
}) {}
