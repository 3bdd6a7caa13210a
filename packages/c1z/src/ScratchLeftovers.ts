import { readdir, rm } from "node:fs/promises"
import { basename, dirname, join, resolve } from "node:path"
import { Effect } from "effect"
import { isLeftBehind } from "./ScratchOwners.js"

/**
 * The scratch files `writeC1z` keeps beside its target while it writes
 * (`.<target name>.<pid>.<12 hex>.db`, its `-journal`, and `.tmp`) are removed by its finalizer;
 * only a killed process (SIGKILL, power loss) leaves them behind. `removeScratchLeftovers` deletes
 * those of one target that were left behind (ScratchOwners.ts): callers run it before a new write
 * to that target, and a write of the same target still running, in another process or in this one,
 * keeps its files (deleting them made that write fail). Names without a pid (written before it was
 * added) count as left. Best effort: a file that cannot be removed is left.
 */
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** The scratch files beside `path` that no running write is using. */
export const scratchLeftovers = (path: string) =>
  Effect.promise(async () => {
    const target = resolve(path)
    // Group 1: the write's name (what it marks as in use), group 2: its pid.
    const pattern = new RegExp(`^(\\.${escaped(basename(target))}\\.(?:([0-9]+)\\.)?[0-9a-f]{12})\\.(?:db|db-journal|tmp)$`)
    const names = await readdir(dirname(target)).catch(() => [] as Array<string>)
    return names.flatMap((name) => {
      const match = pattern.exec(name)
      if (match === null) return []
      const owner = match[2] === undefined ? undefined : Number(match[2])
      return isLeftBehind(match[1], owner) ? [join(dirname(target), name)] : []
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
