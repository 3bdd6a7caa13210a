import { readdir, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { isRunning } from "./ScratchLeftovers.js"

/**
 * A reader decompresses a `.c1z` into a private directory of the temporary directory
 * (`c1z-<pid>-XXXXXX/db`, the size of the database) and removes it when it is closed; only a killed
 * process (SIGKILL, the OOM killer) leaves it behind, and the HTTP service always holds one open, so
 * each of its crashes left a copy of its latest sync in /tmp. Each open removes those whose process
 * is gone; names without a pid (from builds before it was added) count as left. Best effort.
 */

export const ReaderDirectoryPrefix = `c1z-${process.pid}-`

const readerDirectory = /^c1z-(?:([0-9]+)-)?[A-Za-z0-9]{6}$/

/** Removes the reader directories of processes no longer running; returns the paths removed. */
export const removeReaderLeftovers = Effect.promise(async () => {
  const directory = tmpdir()
  const names = await readdir(directory).catch(() => [] as Array<string>)
  const removed: Array<string> = []
  for (const name of names) {
    const match = readerDirectory.exec(name)
    if (match === null) continue
    const owner = Number(match[1] ?? 0)
    if (owner > 0 && isRunning(owner)) continue
    const path = join(directory, name)
    await rm(path, { recursive: true, force: true }).then(() => removed.push(path), () => undefined)
  }
  return removed as ReadonlyArray<string>
})
