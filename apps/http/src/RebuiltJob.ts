import type { C1zError, C1zReader } from "@baton-fivetran/c1z"
import type { SyncJob } from "@baton-fivetran/http-api"
import { FileSystem } from "@effect/platform"
import { Chunk, DateTime, Effect, Either, Option, type Scope, Stream } from "effect"
import { isDamagedSyncFile } from "./DamagedSyncFile.js"

/**
 * The record of a job whose metadata is lost (deleted, never written on a full disk, damaged) or
 * out of date (still `running`: the process stopped just after the file's rename), rebuilt from its
 * `.c1z`. The writer renames a `.c1z` into place only once its sync is complete,
 * so the file is a succeeded sync: its run's times and whether it synced connections are read from
 * it; what only the metadata held (progress, the summary) is null. A file found damaged, or
 * damaged metadata without a file, is a failed job, which retention deletes with the other failed
 * jobs; one that could not be read for want of room or access is still a succeeded one.
 */

export interface RebuiltJob {
  readonly job: SyncJob
  /** Why the file could not be read, for the log (the job's `error` does not name server paths). */
  readonly unreadable: Option.Option<string>
}

const iso = (text: string) => Option.getOrNull(Option.map(DateTime.make(text), DateTime.formatIso))

export interface LostJob {
  readonly id: string
  readonly createdAt: string
  /** The service's setting, for a file that cannot say. */
  readonly syncConnections: boolean
}

const failedJob = (options: LostJob, error: string): SyncJob => ({
  id: options.id,
  status: "failed",
  created_at: options.createdAt,
  started_at: null,
  finished_at: null,
  sync_connections: options.syncConnections,
  progress: null,
  waiting: null,
  summary: null,
  error,
  file_bytes: null
})

/** A job whose metadata cannot be read and that has no `.c1z`: nothing of it is left to serve. */
export const jobWithoutFile = (options: LostJob): SyncJob =>
  failedJob(options, "its metadata could not be read and it had no .c1z; it is deleted with the older failed jobs")

/**
 * A file there that could not be read for a reason the operator fixes (a full --temp-dir at start):
 * it was renamed into place complete, so it is a succeeded sync, its end the file's modification
 * time (the rename follows its last write). Failed, it was deleted by retention: a newest sync lost
 * to a full disk. A query that finds it damaged after all fails it then (SyncReaders.ts).
 */
const uncheckedJob = (options: LostJob, bytes: number, modified: Option.Option<Date>): SyncJob => ({
  id: options.id,
  status: "succeeded",
  created_at: options.createdAt,
  started_at: null,
  finished_at: Option.getOrElse(Option.map(modified, (date) => date.toISOString()), () => options.createdAt),
  sync_connections: options.syncConnections,
  progress: null,
  waiting: null,
  summary: null,
  error: null,
  file_bytes: bytes
})

export const rebuildJob = (
  options: LostJob & {
    readonly path: string
    /** Opens the file for reading (WorkingCopies.ts). */
    readonly open: (path: string) => Effect.Effect<C1zReader, C1zError, Scope.Scope>
  }
): Effect.Effect<RebuiltJob, never, FileSystem.FileSystem> =>
  Effect.scoped(Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs.stat(options.path)
    const bytes = Number(info.size)
    const read = yield* options.open(options.path).pipe(
      Effect.flatMap((reader) =>
        Effect.map(Stream.runCollect(reader.resourceTypes), (types) => ({
          run: reader.syncRun,
          connections: Chunk.some(types, (type) => type.id === "connection")
        }))
      ),
      Effect.map(Either.right),
      Effect.catchIf((error) => !isDamagedSyncFile(error), (error) => Effect.succeed(Either.left(error)))
    )
    return { bytes, modified: info.mtime, read }
  })).pipe(
    Effect.match({
      onSuccess: ({ bytes, modified, read }): RebuiltJob =>
        Either.match(read, {
          onLeft: (error) => ({ job: uncheckedJob(options, bytes, modified), unreadable: Option.some(error.message) }),
          onRight: ({ connections, run }) => ({
            job: {
              id: options.id,
              status: "succeeded",
              created_at: options.createdAt,
              started_at: iso(run.startedAt),
              finished_at: iso(run.endedAt),
              sync_connections: connections,
              progress: null,
              waiting: null,
              summary: null,
              error: null,
              file_bytes: bytes
            },
            unreadable: Option.none()
          })
        }),
      onFailure: (error): RebuiltJob => ({
        job: failedJob(
          options,
          "its metadata was lost and its .c1z cannot be read; the file is deleted with the older failed jobs"
        ),
        unreadable: Option.some(error.message)
      })
    })
  )
