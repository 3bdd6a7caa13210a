import { type C1zError, type C1zWriteOptions, C1zSink, DiskFull, errorCode, InvalidRow, Io, sinkErrorOf } from "@baton-fivetran/c1z"
import { SyncSink } from "@baton-fivetran/connector-core"
import { outOfFilesProblem } from "@baton-fivetran/fivetran-client/out-of-files"
import { Effect, Layer, Stream } from "effect"

/**
 * Where a job's sync goes: the `.c1z` writer, as c1z's C1zSink, but what a failure tells the job's
 * `error` (served to API callers and stored) names no server path. The writer's messages name its
 * files (`/data/.<id>.c1z.<pid>.<random>.db: could not write sync rows: database or disk is full`),
 * which showed the server's layout to every caller; the job says what failed and why in words, and
 * the full text goes to `onWriteFailed`, for the job's one `sync job failed` line (SyncJobs.ts).
 */

/**
 * What a Node or SQLite error code means for the operator, for the codes a full or broken disk
 * gives, and a process out of file descriptors.
 */
const problemOf = (code: string | undefined): string => {
  if (code === undefined) return "an unexpected error"
  if (code === "ENOSPC" || code === "SQLITE_FULL") return `the disk is full (${code})`
  if (code === "EDQUOT") return `the disk quota is used up (${code})`
  if (code === "EFBIG") return `the file grew past the size the system allows (${code})`
  if (code === "EACCES" || code === "EPERM") return `permission denied (${code})`
  if (code === "EROFS" || code.startsWith("SQLITE_READONLY")) return `the file system is read-only (${code})`
  if (code === "EIO" || code.startsWith("SQLITE_IOERR")) return `a disk I/O error (${code})`
  return outOfFilesProblem(code) ?? `an error (${code})`
}

/**
 * Where a full disk is, and what to do, in the service's terms: the sync file is in the data
 * directory; SQLite's temporary directory is the service's SQLITE_TMPDIR or TMPDIR (or /var/tmp,
 * /tmp), which the error's shortage names.
 */
const fullDiskReason = (error: DiskFull): string =>
  error.full._tag === "SqliteTemp"
    ? `could not ${error.operation}: SQLite's temporary directory is full (${error.code}): ${error.shortage}: ` +
      "set the service's SQLITE_TMPDIR (or TMPDIR) to a directory with that much room; the service's log names the directory"
    : `could not ${error.operation}: the data directory's disk is full (${error.code}): ${error.shortage}: ` +
      "free space on the data directory's volume (--data-dir) or give it a larger one; the service's log names the file"

/** The writer's failure without its paths: the step that failed and why. */
const pathFreeReason = (error: C1zError): string =>
  error instanceof Io
    ? `could not ${error.operation}: ${problemOf(errorCode(error.cause))}; the service's log names the file`
    : error instanceof DiskFull
    ? fullDiskReason(error)
    : error instanceof InvalidRow
    ? `a sync row cannot be written: ${error.reason}`
    : "the sync file could not be written; the service's log has the details"

/**
 * `onRowsEnd` runs once the writer has taken the sync's last row: from then on it only finishes the
 * file and renames it into place, which a job's cancel must not cut in two (SyncJobs.ts).
 * `onWriteFailed` is given the writer's failure in full, its file named, before the job fails with it.
 */
export const syncFileSink = (
  path: string,
  options: C1zWriteOptions,
  onRowsEnd: Effect.Effect<void>,
  onWriteFailed: (fullText: string) => Effect.Effect<void>
): Layer.Layer<SyncSink> =>
  Layer.effect(
    SyncSink,
    Effect.map(SyncSink, (writer) => SyncSink.of({ write: (rows) => writer.write(Stream.concat(rows, Stream.execute(onRowsEnd))) }))
  ).pipe(Layer.provide(
    C1zSink.layer(path, options, (error) => Effect.as(onWriteFailed(error.message), sinkErrorOf(error, pathFreeReason(error))))
  ))
