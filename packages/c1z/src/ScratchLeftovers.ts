import { readdir, rm } from "node:fs/promises"
import { basename, dirname, join, resolve } from "node:path"
import { Effect } from "effect"

/**
 * The scratch files `writeC1z` keeps beside its target while it writes
 * (`.<target name>.<12 hex>.db`, its `-journal`, and `.tmp`) are removed by its finalizer; only a
 * killed process (SIGKILL, power loss) leaves them behind. `removeScratchLeftovers` deletes those
 * of one target: callers run it before a new write to that target, which assumes no other process
 * writes the same target at the same time. Best effort: a file that cannot be removed is left.
 */
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

export const scratchLeftovers = (path: string) =>
  Effect.promise(async () => {
    const target = resolve(path)
    const pattern = new RegExp(`^\\.${escaped(basename(target))}\\.[0-9a-f]{12}\\.(db|db-journal|tmp)$`)
    const names = await readdir(dirname(target)).catch(() => [] as Array<string>)
    return names.filter((name) => pattern.test(name)).map((name) => join(dirname(target), name))
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
