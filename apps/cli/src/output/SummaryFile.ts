import { SyncSummary } from "@baton-fivetran/connector-core"
import { writeFileAtomically } from "@baton-fivetran/settings"
import { FileSystem } from "@effect/platform"
import { Clock, Data, Effect, Schema } from "effect"

/**
 * `--summary-file`: the summary of a completed sync as one JSON object, for a scheduler or a
 * monitoring job to read (next to the `.c1z`). Written atomically and owner-only (settings'
 * `writeFileAtomically`), so a reader sees the previous summary or the new one, never half of one. Only a completed sync
 * writes it: after a failure the previous summary (and `.c1z`) are left as they were, and the
 * exit code says what happened.
 */
export const SummaryFileContent = Schema.Struct({
  ...SyncSummary.fields,
  /** The `.c1z` this summary describes. */
  file: Schema.String,
  /** When the sync completed, ISO 8601. */
  finishedAt: Schema.String
})

const encode = Schema.encodeSync(SummaryFileContent)

/**
 * The summary could not be written after the sync completed: the new `.c1z` is already in place
 * (it is committed as the sync ends), so the message says so, and the run still fails (exit 1:
 * a scheduler reading the summary would otherwise read the previous run's).
 */
export class SummaryFileError extends Data.TaggedError("SummaryFileError")<{
  readonly path: string
  readonly file: string
  readonly reason: string
  /** Whether a summary was there before: it is left as it was, or there is none. */
  readonly previousKept: boolean
}> {
  override get message() {
    return `the sync completed and ${this.file} was written, but the summary ${this.path} could not be written: ` +
      `${this.reason} (check the path, free disk space and permissions; ${
        this.previousKept ? "it still holds the previous run's summary" : "there is no summary file"
      })`
  }
}

export const writeSummaryFile = (path: string, file: string, summary: SyncSummary) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const finishedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
    const text = `${JSON.stringify(encode({ ...summary, file, finishedAt }), null, 2)}\n`
    yield* writeFileAtomically(path, text).pipe(
      Effect.catchAll((error) =>
        Effect.flatMap(
          Effect.orElseSucceed(fs.exists(path), () => false),
          (previousKept) => Effect.fail(new SummaryFileError({ path, file, reason: error.description ?? error.message, previousKept }))
        )
      )
    )
  })
