import { longestScratchTarget, scratchPathBeside } from "@baton-fivetran/c1z"
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
 *
 * Its temporary file is named as the `.c1z`'s scratch files are, `.<name>.<pid>.<12 hex>.tmp`:
 * one a killed run (SIGKILL during the write) left, under settings' `.<name>.<16 hex>.tmp` with no
 * pid, could not be told from a running write's, and stayed; c1z's removeScratchLeftovers removes it now.
 */
export const SummaryFileContent = Schema.Struct({
  ...SyncSummary.fields,
  /** The `.c1z` this summary describes. */
  file: Schema.String,
  /**
   * The sync id that `.c1z` records (`verify -o json`'s `sync_id`, the log lines' `c1z_sync_id`): with
   * overlapping runs into one file the summary in place may be another run's than the `.c1z` in place.
   */
  syncId: Schema.String,
  /** When the sync completed, ISO 8601. */
  finishedAt: Schema.String
})

const encode = Schema.encodeSync(SummaryFileContent)

/** The longest --summary-file name (in bytes) whose temporary file's name fits in Linux's 255. */
export const longestSummaryFileName = longestScratchTarget(".tmp")

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

/** The `.c1z` a summary describes: its path and the sync id it records. */
export interface SummarizedSync {
  readonly file: string
  readonly syncId: string
}

export const writeSummaryFile = (path: string, { file, syncId }: SummarizedSync, summary: SyncSummary) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const finishedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
    const text = `${JSON.stringify(encode({ ...summary, file, syncId, finishedAt }), null, 2)}\n`
    const temporary = Effect.map(scratchPathBeside(path), (scratch) => `${scratch}.tmp`)
    yield* Effect.scoped(Effect.flatMap(temporary, (temporaryPath) => writeFileAtomically(path, text, temporaryPath))).pipe(
      Effect.catchAll((error) =>
        Effect.flatMap(
          Effect.orElseSucceed(fs.exists(path), () => false),
          (previousKept) => Effect.fail(new SummaryFileError({ path, file, reason: error.description ?? error.message, previousKept }))
        )
      )
    )
  })
