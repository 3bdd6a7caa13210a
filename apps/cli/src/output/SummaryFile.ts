import { SyncSummary } from "@baton-fivetran/connector-core"
import { FileSystem, Path } from "@effect/platform"
import { Clock, Effect, Schema } from "effect"

/**
 * `--summary-file`: the summary of a completed sync as one JSON object, for a scheduler or a
 * monitoring job to read (next to the `.c1z`). Written to a temporary file beside it and renamed,
 * so a reader sees the previous summary or the new one, never half of one. Only a completed sync
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

export const writeSummaryFile = (path: string, file: string, summary: SyncSummary) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const paths = yield* Path.Path
    const finishedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
    const text = `${JSON.stringify(encode({ ...summary, file, finishedAt }), null, 2)}\n`
    const temporary = paths.join(paths.dirname(path), `.${paths.basename(path)}.${process.pid}.tmp`)
    yield* fs.writeFileString(temporary, text).pipe(
      Effect.zipRight(fs.rename(temporary, path)),
      Effect.onError(() => Effect.ignore(fs.remove(temporary)))
    )
  })
