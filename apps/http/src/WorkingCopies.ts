import { type C1zError, type C1zReader, openC1z, removeReaderLeftovers } from "@baton-fivetran/c1z"
import { makePrivateDirectory } from "@baton-fivetran/settings"
import { Effect, type Scope } from "effect"
import { ServiceConfig } from "./ServiceConfig.js"

/**
 * Where the service reads its syncs: each open decompresses a `.c1z` into a working copy of its own
 * in `--temp-dir` (about 15 times the file; a few stay open in SyncReaders). The place is chosen on
 * purpose, by default in the data directory's volume, which is sized for the data: the OS's
 * temporary directory is often a read-only or small disk in a container, where every query failed
 * while the probes said the service was fine. At start the directory is made (owner-only, 0700, if
 * missing), and the copies a
 * killed process left in it are removed (each open does that too, but only when a query comes).
 */
export class WorkingCopies extends Effect.Service<WorkingCopies>()("baton-http/WorkingCopies", {
  effect: Effect.gen(function*() {
    const { tempDir } = yield* ServiceConfig
    // The CLI checked it before starting; an embedder's bad directory shows in the first query's answer.
    yield* makePrivateDirectory(tempDir).pipe(
      Effect.catchAll((error) =>
        Effect.logError("could not create the directory for the working copies of syncs").pipe(
          Effect.annotateLogs({ directory: tempDir, error: error.message })
        )
      )
    )
    const removed = yield* removeReaderLeftovers(tempDir)
    if (removed.length > 0) {
      yield* Effect.logWarning("removed working copies of syncs left by a stopped process").pipe(
        Effect.annotateLogs({ directories: removed.join(", ") })
      )
    }
    return {
      directory: tempDir,
      /** Opens a kept `.c1z` with its working copy in the temporary directory, for the caller's scope. */
      open: (path: string): Effect.Effect<C1zReader, C1zError, Scope.Scope> => openC1z(path, { tempDirectory: tempDir })
    } as const
  })
}) {}
