import { readdir, rm } from "node:fs/promises"
import { basename, dirname, join, resolve } from "node:path"
import { Effect } from "effect"

/**
 * The scratch files `writeC1z` keeps beside its target while it writes
 * (`.<target name>.<pid>.<12 hex>.db`, its `-journal`, and `.tmp`) are removed by its finalizer;
 * only a killed process (SIGKILL, power loss) leaves them behind. `removeScratchLeftovers` deletes
 * those of one target whose writing process is gone: callers run it before a new write to that
 * target, and another process writing the same target at the same time keeps its files (deleting
 * them made that write fail). Names without a pid (written before it was added) count as left.
 * Best effort: a file that cannot be removed is left.
 */
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** Whether process `pid` exists (EPERM: it does, run by another user). */
export const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** The scratch files beside `path` whose writer is no longer running. */
export const scratchLeftovers = (path: string) =>
  Effect.promise(async () => {
    const target = resolve(path)
    const pattern = new RegExp(`^\\.${escaped(basename(target))}\\.(?:([0-9]+)\\.)?[0-9a-f]{12}\\.(db|db-journal|tmp)$`)
    const names = await readdir(dirname(target)).catch(() => [] as Array<string>)
    return names.flatMap((name) => {
      const match = pattern.exec(name)
      if (match === null) return []
      const owner = Number(match[1] ?? 0)
      return owner > 0 && isRunning(owner) ? [] : [join(dirname(target), name)]
    })
  })

/** Removes what a killed write to `path` left; returns the paths removed. */
export const removeScratchLeftovers = (path: string) =>
  Effect.flatMap(scratchLeftovers(path), (files) =>
    Effect.promise(async () => {
      const removed: Array<string> = []
      for (const file of files) {
        await rm(file, { force: true }).then(() => removed.push(file), () => undefined)
      }
      return removed as ReadonlyArray<string>
    }))
