import { SinkError, type SinkReport, SyncSink } from "@baton-fivetran/connector-core"
import { withConsoleText } from "@baton-fivetran/fivetran-client/console-text"
import { Effect, Layer, Option } from "effect"
import { type C1zError, isC1zError, isMissingAddOn } from "./C1zError.js"
import { type C1zWriteOptions, writeC1z } from "./C1zWriter.js"

/**
 * A writer's failure as a SinkError with `reason` (by default its message, which names the file),
 * marked `notInstalled` when a native add-on is missing: the image's fault, not the storage's.
 */
export const sinkErrorOf = (error: C1zError, reason: string = error.message): SinkError =>
  new SinkError({ reason, ...(isMissingAddOn(error) ? { notInstalled: true } : {}) })

const withMessage = (error: C1zError) => Effect.succeed(sinkErrorOf(error))

/**
 * Said when the file was replaced by another writer while this sync ran: two runs into one file
 * overlap (a CronJob outlasting its schedule), which nothing said before. Each run's file is
 * complete, the path holds the one renamed last, and that is this run's, which may have started
 * first: an operator learns that the runs overlap, and which file the path holds. On a console the
 * file and the time are in the sentence: after it, as fields, the line ended "it now holds this sync
 * file=/data/sync.c1z".
 */
const overlapped = (path: string) => (writtenAt: Date) => {
  const replacedAt = writtenAt.toISOString()
  return Effect.logWarning(
    "the sync file was replaced by another writer while this sync ran (runs into one file overlap); it now holds this sync"
  ).pipe(
    Effect.annotateLogs({ file: path, replaced_file_written_at: replacedAt }),
    withConsoleText(
      `the sync file ${path} was replaced by another writer at ${replacedAt}, while this sync ran (runs into one file overlap); it now holds this sync`,
      ["file", "replaced_file_written_at"]
    )
  )
}

/**
 * connector-core's SyncSink backed by the .c1z writer: each `write` replaces the file at `path`
 * atomically. `failure` words the writer's own failures (its message by default; a service whose
 * callers must not see its paths words them otherwise).
 */
export const C1zSink = {
  layer: (
    path: string,
    options: C1zWriteOptions = {},
    failure: (error: C1zError) => Effect.Effect<SinkError> = withMessage
  ): Layer.Layer<SyncSink> =>
    Layer.succeed(
      SyncSink,
      SyncSink.of({
        write: (rows) =>
          writeC1z(path, rows, options).pipe(
            Effect.tap((result) =>
              // Snake case, the sync id as the service's job lines name it: one log query reads both apps.
              Effect.logInfo("wrote the sync file").pipe(
                Effect.annotateLogs({
                  path: result.path,
                  c1z_sync_id: result.syncId,
                  bytes: result.bytes,
                  resource_types: result.counts.resourceTypes,
                  resources: result.counts.resources,
                  entitlements: result.counts.entitlements,
                  grants: result.counts.grants
                })
              )
            ),
            Effect.tap((result) => Option.match(result.replacedMeanwhile, { onNone: () => Effect.void, onSome: overlapped(result.path) })),
            Effect.map((result): SinkReport => ({ leftOut: result.leftOut })),
            Effect.catchIf(isC1zError, (error) => Effect.flatMap(failure(error), Effect.fail))
          )
      })
    )
}
