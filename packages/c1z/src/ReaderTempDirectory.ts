import { Effect } from "effect"
import { tmpdir } from "node:os"
import { dirname, resolve } from "node:path"
import { WorkingCopyFailed } from "./C1zError.js"
import { writableDirectory } from "./SqliteTempDirectory.js"

/**
 * Where a reader not told otherwise makes its working copy. A hardened container has a read-only
 * root file system and no TMPDIR (docs/deploy.md, "A hardened deployment"): every review command
 * failed there, "could not create the working copy's directory in /tmp: EROFS", though the .c1z's
 * own volume is writable. So the OS's temporary directory when it is writable, else the .c1z's
 * directory when that is (the sync wrote its scratch files there too), else a refusal naming TMPDIR.
 */
export interface ReaderTempDirectory {
  readonly directory: string
  /** Whether it is the .c1z's directory, the user's, where only this build's (pid-named) reader directories are ours to sweep. */
  readonly besideFile: boolean
}

export const readerTempDirectory = (path: string): Effect.Effect<ReaderTempDirectory, WorkingCopyFailed> =>
  Effect.suspend((): Effect.Effect<ReaderTempDirectory, WorkingCopyFailed> => {
    const temporary = tmpdir()
    if (writableDirectory(temporary)) return Effect.succeed({ directory: temporary, besideFile: false })
    const beside = dirname(resolve(path))
    if (writableDirectory(beside)) {
      return Effect.as(
        Effect.logDebug(`the temporary directory ${temporary} is not writable: the working copy goes beside the .c1z, in ${beside}`),
        { directory: beside, besideFile: true }
      )
    }
    return Effect.fail(
      new WorkingCopyFailed({
        path,
        directory: temporary,
        operation: "create the working copy's directory",
        cause: new Error(
          `it is not writable, nor is the .c1z's directory ${beside}: set TMPDIR to a writable directory with room for the copy`
        )
      })
    )
  })
