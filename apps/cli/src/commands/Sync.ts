import { type SyncProgress, SyncEngine } from "@baton-fivetran/connector-core"
import { C1zSink, removeScratchLeftovers } from "@baton-fivetran/c1z"
import { shownText } from "@baton-fivetran/fivetran-client/shown-text"
import { fileKindName } from "@baton-fivetran/settings"
import { FileSystem, Path } from "@effect/platform"
import { Clock, Effect, LogLevel, Option, Ref } from "effect"
import { fivetranClientLayer } from "../FivetranTarget.js"
import * as Stderr from "../output/Stderr.js"
import { notice } from "../output/Notice.js"
import { withProgressLog } from "../output/ProgressLog.js"
import { writeSummaryFile } from "../output/SummaryFile.js"
import { consoleSummary, progressText, summaryFields } from "../output/SyncReport.js"
import type { Settings } from "../settings/Settings.js"
import { withTelemetry } from "../Telemetry.js"
import { UsageError } from "../UsageError.js"

/**
 * The default action: a full sync into `--file`. The c1z sink writes a temporary file beside the
 * target and renames it only once the sync completed, so a failure or Ctrl-C leaves any previous
 * file as it was.
 */
const ProgressIntervalMillis = 100

/**
 * The sync replaces --file (and --summary-file) by a rename, so each must name a regular file or
 * nothing yet (not /dev/null, not a directory), in a writable directory that exists (the temporary
 * file goes there). Checked before anything is contacted, so a wrong path costs no sync.
 */
const checkTarget = (flag: string, file: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    // `out/` names a directory even while none is there: the file was written as `out`.
    const name = path.basename(file)
    if (file.endsWith("/") || file.endsWith(path.sep) || name === "." || name === "..") {
      return yield* new UsageError({
        reason: `--${flag} ${file} names a directory, not a file: give the file's path, such as ${path.join(file, "sync.c1z")}`
      })
    }
    const existing = yield* Effect.option(fs.stat(file))
    if (Option.isSome(existing) && existing.value.type !== "File") {
      return yield* new UsageError({
        reason: `--${flag} ${file} is ${
          fileKindName(existing.value.type)
        }, not a regular file: the sync writes a new file and renames it there`
      })
    }
    const directory = path.dirname(path.resolve(file))
    const parent = yield* Effect.option(fs.stat(directory))
    if (Option.isNone(parent) || parent.value.type !== "Directory") {
      return yield* new UsageError({
        reason: `--${flag} ${file}: the directory ${directory} does not exist; create it first or choose another path`
      })
    }
    yield* fs.access(directory, { writable: true }).pipe(
      Effect.mapError(() => new UsageError({ reason: `--${flag} ${file}: the directory ${directory} is not writable` }))
    )
  })

/** A run killed outright (SIGKILL, power loss) leaves its scratch files beside --file: the next run removes them. */
const removeLeftovers = (file: string) =>
  Effect.flatMap(removeScratchLeftovers(file), (removed) =>
    removed.length === 0
      ? Effect.void
      : Effect.logInfo(`removed ${removed.length} scratch file(s) a killed run left beside ${file}: ${removed.join(", ")}`))

/** The summary written over the sync file would leave no sync file, only a JSON object where it was. */
const checkDistinct = (file: string, summaryFile: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const [a, b] = yield* Effect.all([Effect.option(fs.stat(file)), Effect.option(fs.stat(summaryFile))])
    // One file by two names (a link) is the same file too.
    const sameFile = Option.isSome(a) && Option.isSome(b) && Option.isSome(a.value.ino) &&
      a.value.dev === b.value.dev && a.value.ino.value === Option.getOrUndefined(b.value.ino)
    if (path.resolve(file) === path.resolve(summaryFile) || sameFile) {
      return yield* new UsageError({
        reason: `--summary-file ${summaryFile} is the sync file (--file ${file}): choose another path for the summary`
      })
    }
  })

export const runSync = (settings: Settings) =>
  checkTarget("file", settings.file).pipe(
    Effect.zipRight(Effect.transposeMapOption(settings.summaryFile, (path) => checkTarget("summary-file", path))),
    Effect.zipRight(Effect.transposeMapOption(settings.summaryFile, (path) => checkDistinct(settings.file, path))),
    Effect.zipRight(removeLeftovers(settings.file)),
    Effect.zipRight(withTelemetry(sync(settings)))
  )

const sync = (settings: Settings) =>
  Effect.gen(function*() {
    const engine = yield* SyncEngine
    const shown = yield* Ref.make({ phase: "", atMillis: 0, waitUntil: "" })
    // On a terminal: one line, redrawn at most every ProgressIntervalMillis. Also a debug log each
    // time the phase changes, and for a log reader (no terminal, or JSON) an info line every 30 s.
    const onProgress = (progress: SyncProgress) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const waitUntil = progress.waiting?.until ?? ""
        const { due, phaseChanged } = yield* Ref.modify(shown, (last) => {
          const phaseChanged = last.phase !== progress.phase
          // A wait starting or ending is always drawn: nothing else moves while it lasts.
          const due = phaseChanged || waitUntil !== last.waitUntil || now - last.atMillis >= ProgressIntervalMillis
          return [{ due, phaseChanged }, due ? { phase: progress.phase, atMillis: now, waitUntil } : last]
        })
        if (due) yield* Stderr.progress(progressText(progress, now))
        if (phaseChanged) yield* Effect.logDebug(progressText(progress, now))
      })
    yield* Effect.logInfo(`syncing into ${settings.file}`)
    const run = (logProgress: (progress: SyncProgress) => Effect.Effect<void>) =>
      engine.run({
        syncConnections: settings.syncConnections,
        concurrency: settings.concurrency,
        onProgress: (progress) => Effect.zipRight(onProgress(progress), logProgress(progress))
      })
    const forLogReader = !Stderr.isTerminal() || settings.logFormat === "json"
    const summary = yield* (forLogReader ? withProgressLog(progressText, run) : run(() => Effect.void)).pipe(
      Effect.ensuring(Stderr.clearProgress),
      Effect.onInterrupt(() => {
        const text = `interrupted: ${settings.file} was left as it was`
        return notice(LogLevel.Warning, shownText(text), { msg: text, fields: { file: settings.file, exit_code: 130 } })
      })
    )
    // At info: under --log-level warn a JSON summary is left out (--summary-file is the one to read).
    yield* notice(LogLevel.Info, consoleSummary(summary, settings.file), {
      msg: "sync complete",
      fields: summaryFields(summary, settings.file)
    })
    if (Option.isSome(settings.summaryFile)) yield* writeSummaryFile(settings.summaryFile.value, settings.file, summary)
  }).pipe(
    Effect.provide(C1zSink.layer(settings.file, { annotations: { exclusionGroups: settings.exclusionGroups } })),
    Effect.provide(SyncEngine.layer),
    Effect.provide(fivetranClientLayer(settings))
  )
