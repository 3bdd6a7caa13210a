import { type SyncProgress, SyncEngine } from "@baton-fivetran/connector-core"
import { C1zSink } from "@baton-fivetran/c1z"
import { Effect, type Option, Ref } from "effect"
import { fivetranClientLayer } from "../FivetranTarget.js"
import * as Stderr from "../output/Stderr.js"
import { progressText, summaryText } from "../output/SyncReport.js"
import type { Settings } from "../settings/Settings.js"

/**
 * The default action: a full sync into `--file`. The c1z sink writes a temporary file beside the
 * target and renames it only once the sync completed, so a failure or Ctrl-C leaves any previous
 * file as it was.
 */
export const runSync = (settings: Settings, sandbox: Option.Option<string>) =>
  Effect.gen(function*() {
    const engine = yield* SyncEngine
    const lastPhase = yield* Ref.make("")
    // On a terminal: one updating line. Elsewhere: a debug log each time the phase changes.
    const onProgress = (progress: SyncProgress) =>
      Effect.zipRight(
        Stderr.progress(progressText(progress)),
        Effect.whenEffect(
          Effect.logDebug(progressText(progress)),
          Ref.modify(lastPhase, (phase) => [phase !== progress.phase, progress.phase])
        )
      )
    yield* Effect.logInfo(`syncing into ${settings.file}`)
    const summary = yield* engine.run({
      syncConnections: settings.syncConnections,
      concurrency: settings.concurrency,
      onProgress
    }).pipe(
      Effect.ensuring(Stderr.clearProgress),
      Effect.onInterrupt(() => Stderr.line(`interrupted: ${settings.file} was left as it was`))
    )
    yield* Stderr.line(summaryText(summary, settings.file, settings.logFormat))
  }).pipe(
    Effect.provide(C1zSink.layer(settings.file)),
    Effect.provide(SyncEngine.layer),
    Effect.provide(fivetranClientLayer(settings, sandbox))
  )
