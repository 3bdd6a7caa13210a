import { readdir, rm, stat } from "node:fs/promises"
import { basename, dirname, join, resolve } from "node:path"
import { Effect } from "effect"
import { processStartMillis } from "./ProcessStart.js"
import { leftBehind, type ScratchEntry, scratchSuffixes } from "./ScratchOwners.js"

/**
 * The scratch files `writeC1z` keeps beside its target while it writes
 * (`.<target name>.<pid>.<12 hex>.db`, its `-journal`, and `.tmp`), and the temporary file of the
 * CLI's summary (`.<summary name>.<pid>.<12 hex>.tmp`), are removed as their write ends; only a
 * killed process (SIGKILL, power loss) leaves them behind. `removeScratchLeftovers` deletes those of
 * one target that were left behind (ScratchOwners.ts): callers run it before a new write to that
 * target, and a write of the same target still running, in another process or in this one (or in
 * another container on a shared volume, whose pid is this one's), keeps its files (deleting them
 * made that write fail). Names without a pid (written before it was added: `<12 hex>`, or the
 * summary's `<16 hex>.tmp`) count as left, and so do files last written well before the process now
 * holding their pid started. Best effort: a file that cannot be removed is left.
 */
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * Past this before the process now holding its pid started, a file's last write was not that
 * process's: a margin for a file system whose clock (a network volume's server) runs behind this
 * host's, so that a write just begun is never taken for a killed one.
 */
const clockSkewMarginMillis = 10 * 60 * 1000

/**
 * Whether a file named with another process's live pid was left by an earlier process that had the
 * pid: a write changes its files from after its process started, so one last changed well before the
 * holder started is not the holder's (a pid reused on a long-running host, or another pod's process
 * on a shared volume). Unknown start (not Linux) or modification time: it is the holder's.
 */
const writtenBeforeOwnerStarted = async (file: string, owner: number): Promise<boolean> => {
  const [info, started] = await Promise.all([stat(file).catch(() => undefined), processStartMillis(owner)])
  return info !== undefined && started !== undefined && info.mtimeMs < started - clockSkewMarginMillis
}

/** The scratch files beside `path` that no running write is using. */
export const scratchLeftovers = (path: string) =>
  Effect.gen(function*() {
    const target = resolve(path)
    // Group 1: the write's name (what it marks as in use), group 2: its pid.
    const pattern = new RegExp(
      `^(\\.${escaped(basename(target))}\\.(?:(?:([0-9]+)\\.)?[0-9a-f]{12}|[0-9a-f]{16}))(?:${scratchSuffixes.map(escaped).join("|")})$`
    )
    const names = yield* Effect.promise(() => readdir(dirname(target)).catch(() => [] as Array<string>))
    const entries = names.flatMap((name): Array<ScratchEntry> => {
      const match = pattern.exec(name)
      return match === null
        ? []
        : [{ name: match[1]!, owner: match[2] === undefined ? undefined : Number(match[2]), path: join(dirname(target), name) }]
    })
    const left = yield* leftBehind(entries, true)
    const leftovers = yield* Effect.promise(() =>
      Promise.all(entries.map(({ owner, path }, index) =>
        left[index]! || (owner !== undefined && owner !== process.pid && writtenBeforeOwnerStarted(path, owner))
      ))
    )
    return entries.filter((_, index) =>
      leftovers[index]
    ).map((entry) => entry.path)
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
