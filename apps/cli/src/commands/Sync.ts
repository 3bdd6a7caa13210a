import {
  progressLogFields,
  type SyncFailureReason,
  SyncEngine,
  syncFailureReasonOf,
  type SyncProgress,
  type SyncStopReason
} from "@baton-fivetran/connector-core"
import { C1zSink, ksuid, longestSyncFileName, removeScratchLeftovers } from "@baton-fivetran/c1z"
import { currentMonotonicMillis } from "@baton-fivetran/fivetran-client"
import { withConsoleText } from "@baton-fivetran/fivetran-client/console-text"
import { shownText } from "@baton-fivetran/fivetran-client/shown-text"
import { FileSystem } from "@effect/platform"
import { Cause, Clock, Deferred, Effect, ExecutionStrategy, Exit, Layer, LogLevel, Option, Queue, Ref, Scope } from "effect"
import { exitCode, reportedHere } from "../Exit.js"
import { fivetranClientLayer } from "../FivetranTarget.js"
import * as Stderr from "../output/Stderr.js"
import { notice } from "../output/Notice.js"
import { interruptionNotice } from "../output/InterruptionNotice.js"
import { withProgressLog } from "../output/ProgressLog.js"
import { longestSummaryFileName, SummaryFileError, writeSummaryFile } from "../output/SummaryFile.js"
import { consoleSummary, progressLineText, progressText, summaryFields } from "../output/SyncReport.js"
import type { Settings } from "../settings/Settings.js"
import { holdEveryStop, holdFirstStop } from "../StopSignals.js"
import { withTelemetry } from "../Telemetry.js"
import { UsageError } from "../UsageError.js"
import { checkReplaceable, checkSyncTarget, type SyncTarget } from "./SyncTarget.js"

/**
 * The default action: a full sync into `--file`. The c1z sink writes a temporary file beside the
 * target and renames it only once the sync completed, so a failure or Ctrl-C leaves any previous
 * file as it was.
 */
const ProgressIntervalMillis = 100

/**
 * A run killed outright (SIGKILL, power loss) leaves its scratch files beside --file, and the
 * summary's temporary file beside --summary-file: the next run removes them.
 */
const removeLeftovers = (file: string) =>
  Effect.flatMap(removeScratchLeftovers(file), (removed) =>
    removed.length === 0
      ? Effect.void
      : Effect.logInfo("removed the scratch files a killed run left").pipe(
        Effect.annotateLogs({ file, removed_files: removed }),
        withConsoleText(`removed ${removed.length} scratch file(s) a killed run left beside ${file}: ${removed.join(", ")}`, [
          "file",
          "removed_files"
        ])
      ))

/** The summary written over the sync file would leave no sync file, only a JSON object where it was. */
const checkDistinct = (file: SyncTarget, summaryFile: SyncTarget) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const [a, b] = yield* Effect.all([Effect.option(fs.stat(file.path)), Effect.option(fs.stat(summaryFile.path))])
    // One file by two names (a hard link) is the same file too.
    const sameFile = Option.isSome(a) && Option.isSome(b) && Option.isSome(a.value.ino) &&
      a.value.dev === b.value.dev && a.value.ino.value === Option.getOrUndefined(b.value.ino)
    if (file.path === summaryFile.path || sameFile) {
      return yield* new UsageError({
        reason: `--summary-file ${summaryFile.given} is the sync file (--file ${file.given}): choose another path for the summary`
      })
    }
  })

export const runSync = (settings: Settings) =>
  Effect.gen(function*() {
    const file = yield* checkSyncTarget("file", settings.file, {
      example: "sync.c1z",
      longestName: longestSyncFileName
    })
    const summaryFile = yield* Effect.transposeMapOption(
      settings.summaryFile,
      (path) => checkSyncTarget("summary-file", path, { example: "summary.json", longestName: longestSummaryFileName })
    )
    if (Option.isSome(summaryFile)) yield* checkDistinct(file, summaryFile.value)
    // After checkDistinct: the summary named as the sync file is said as that, not as no summary.
    yield* checkReplaceable(file, "sync file")
    if (Option.isSome(summaryFile)) yield* checkReplaceable(summaryFile.value, "summary")
    yield* removeLeftovers(file.path)
    if (Option.isSome(summaryFile)) yield* removeLeftovers(summaryFile.value.path)
    const syncId = ksuid(new Date(yield* Clock.currentTimeMillis))
    // Reported inside the telemetry's scope, which then reports it no more (Exit.ts), and inside the
    // sync id's annotation: a log search by the id found every line of a failed sync but its error.
    yield* withTelemetry(
      reportedHere(sync(settings, file.path, Option.map(summaryFile, (target) => target.path), syncId), reasonField).pipe(
        Effect.annotateLogs({ c1z_sync_id: syncId })
      )
    )
  })

/**
 * A failed sync's JSON error line names why in `reason`, the word the HTTP service's failed jobs
 * have on their line and metric: a CronJob's log alert matches it, not the message's text. A
 * refusal of its settings (exit 2) is no failed sync, and has none.
 */
const reasonField = (cause: Cause.Cause<unknown>) => exitCode(Exit.failCause(cause)) === 1 ? { reason: failureReasonOf(cause) } : {}

/**
 * A summary file the disk would not take once the sync completed is `storage`, as a sync file's is:
 * the volume's owner has to act, where `internal` (a bug) sent the alert to the developers.
 */
const failureReasonOf = (cause: Cause.Cause<unknown>): SyncFailureReason =>
  Option.exists(Cause.failureOption(cause), (error) => error instanceof SummaryFileError) ? "storage" : syncFailureReasonOf(cause)

/**
 * An interrupted sync's JSON line names why in `reason`, as the service's cancelled job does: only a
 * signal interrupts the CLI, the process told to stop (a CronJob's pod deleted, Ctrl-C), which the
 * service calls `shutdown` when it is stopped so. Not `interrupted`: that is a process killed
 * outright, its job found by a later start.
 */
const stoppedBySignal: SyncStopReason = "shutdown"

/**
 * The sync into `target` (--file through its links); its summary into `summaryTarget` when asked for.
 * `syncId` is the sync id its .c1z records, which every line of the sync names as `c1z_sync_id`
 * (runSync's annotation): chosen before the sync starts, as the service chooses a job's, where the
 * writer chose it only as it wrote the file, so that `wrote the sync file` was the only line a log
 * search by the file's id found.
 *
 * A stop signal once every row is written (a CronJob's pod deleted as the file was being indexed
 * and compressed) threw the completed sync away, exit 130, where the rest took seconds at most and
 * the HTTP service finishes its file in that case. From the last row on, a first SIGINT or SIGTERM
 * is said and the sync finishes: its file, its summary, exit 0, the truth about the file (130
 * promises the previous file kept). A second signal still interrupts at once.
 *
 * From the rename of the new file on, no signal stops it: one then (a second, or a first at the
 * very end) said `interrupted: <file> was left as it was` and exited 130 where the new file was in
 * place, or exited 130 without its summary file. Each is said once the file is in place, and the
 * sync finishes, exit 0.
 */
const sync = (settings: Settings, target: string, summaryTarget: Option.Option<string>, syncId: string) =>
  Effect.scoped(Effect.gen(function*() {
    const scope = yield* Effect.scope
    // The client in a scope of its own, closed once every row is written: its idle keep-alive
    // connections (up to one per request in flight, 60 at --concurrency 64) held their file
    // descriptors through the index, compression and rename, which under a low `ulimit -n` failed
    // the finished sync there (EMFILE opening its .tmp). No request follows the last row.
    const connections = yield* Scope.fork(scope, ExecutionStrategy.sequential)
    const client = yield* Layer.buildWithScope(fivetranClientLayer(settings), connections)
    const heldStop = yield* Deferred.make<NodeJS.Signals>()
    const finishOnFirstStop = Scope.extend(
      holdFirstStop((signal) => Deferred.unsafeDone(heldStop, Exit.succeed(signal))),
      scope
    )
    yield* Effect.forkScoped(Effect.flatMap(Deferred.await(heldStop), (signal) => {
      const text = `${signal} came after the last row was written: finishing ${settings.file} (a second signal stops at once)`
      return notice(LogLevel.Info, shownText(text), {
        msg: "stop signal after the last row was written: finishing the sync file",
        fields: { file: settings.file, signal }
      })
    }))
    const stopsOnceComplete = yield* Queue.unbounded<NodeJS.Signals>()
    const sayStopOnceComplete = (signal: NodeJS.Signals) => {
      const text = `${signal} came once the sync was complete: ${settings.file} holds it; finishing its summary`
      return notice(LogLevel.Info, shownText(text), {
        msg: "stop signal once the sync was complete: finishing its summary",
        fields: { file: settings.file, signal }
      })
    }
    // Those that came as the file was renamed, before the summary; the later ones as they come.
    const sayStopsOnceComplete = Effect.zipRight(
      Effect.flatMap(Queue.takeAll(stopsOnceComplete), Effect.forEach(sayStopOnceComplete, { discard: true })),
      Effect.forkScoped(Effect.forever(Effect.flatMap(Queue.take(stopsOnceComplete), sayStopOnceComplete)))
    )
    return yield* syncRows(settings, summaryTarget, syncId, sayStopsOnceComplete).pipe(
      Effect.provide(C1zSink.layer(target, {
        syncId,
        annotations: { exclusionGroups: settings.exclusionGroups },
        onRowsWritten: Effect.zipRight(finishOnFirstStop, Scope.close(connections, Exit.void)),
        onReplacing: holdEveryStop((signal) => Queue.unsafeOffer(stopsOnceComplete, signal))
      })),
      Effect.provide(SyncEngine.layer),
      Effect.provide(client)
    )
  }))

/** The sync through the SyncSink given, then `onComplete` and its summary (naming `syncId`, the file's). */
const syncRows = <R>(
  settings: Settings,
  summaryTarget: Option.Option<string>,
  syncId: string,
  onComplete: Effect.Effect<unknown, never, R>
) =>
  Effect.gen(function*() {
    const engine = yield* SyncEngine
    // drawnAtMillis is on the monotonic clock: on the wall clock, one set back an hour (an NTP step,
    // a VM resumed) left the line as it was until the next phase, the sync seemingly hung.
    const shown = yield* Ref.make({ phase: "", drawnAtMillis: Number.NEGATIVE_INFINITY, waitUntil: "" })
    // On a terminal: one line, redrawn at most every ProgressIntervalMillis. Also a debug log each
    // time the phase changes, and for a log reader (no terminal, or JSON) an info line every
    // --progress-log-interval.
    const onProgress = (progress: SyncProgress) =>
      Effect.gen(function*() {
        // The wall clock's: a wait's time left is to its `until`, a wall-clock time.
        const now = yield* Clock.currentTimeMillis
        const drawnAtMillis = yield* currentMonotonicMillis
        const waitUntil = progress.waiting?.until ?? ""
        const { due, phaseChanged } = yield* Ref.modify(shown, (last) => {
          const phaseChanged = last.phase !== progress.phase
          // A wait starting or ending is always drawn: nothing else moves while it lasts.
          const due = phaseChanged || waitUntil !== last.waitUntil ||
            drawnAtMillis - last.drawnAtMillis >= ProgressIntervalMillis
          return [{ due, phaseChanged }, due ? { phase: progress.phase, drawnAtMillis, waitUntil } : last]
        })
        if (due) yield* Stderr.progress(progressLineText(progress, now))
        if (phaseChanged) {
          const fields = progressLogFields(progress)
          yield* Effect.logDebug("sync phase").pipe(
            Effect.annotateLogs(fields),
            withConsoleText(progressText(progress, now), Object.keys(fields))
          )
        }
      })
    yield* Effect.logInfo("syncing into the sync file").pipe(
      Effect.annotateLogs({ file: settings.file }),
      withConsoleText(`syncing into ${settings.file}`, ["file"])
    )
    const run = (logProgress: (progress: SyncProgress) => Effect.Effect<void>) =>
      engine.run({
        syncConnections: settings.syncConnections,
        concurrency: settings.concurrency,
        onProgress: (progress) => Effect.zipRight(onProgress(progress), logProgress(progress))
      })
    const forLogReader = !Stderr.isTerminal() || settings.logFormat === "json"
    const synced = forLogReader ? withProgressLog(settings.progressLogIntervalMillis, progressText, run) : run(() => Effect.void)
    const summary = yield* synced.pipe(
      Effect.ensuring(Stderr.clearProgress),
      Effect.onInterrupt(() => {
        const text = `interrupted: ${settings.file} was left as it was`
        return interruptionNotice(LogLevel.Warning, shownText(text), {
          msg: "interrupted: the sync file was left as it was",
          fields: { file: settings.file, exit_code: 130, reason: stoppedBySignal }
        })
      })
    )
    yield* onComplete
    // At info: under --log-level warn a JSON summary is left out (--summary-file is the one to read).
    yield* notice(LogLevel.Info, consoleSummary(summary, settings.file), {
      msg: "sync complete",
      fields: summaryFields(summary, settings.file)
    })
    if (Option.isSome(summaryTarget)) yield* writeSummaryFile(summaryTarget.value, { file: settings.file, syncId }, summary)
  })
