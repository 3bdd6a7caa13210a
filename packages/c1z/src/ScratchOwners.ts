import { Effect, type Scope } from "effect"
import { randomBytes } from "node:crypto"
import { basename, dirname, join, resolve } from "node:path"

/**
 * Whose scratch file is it, and is that owner still using it? Scratch names carry the pid of the
 * process that made them (a writer's `.<target>.<pid>.<random>.*`, a reader's `c1z-<pid>-XXXXXX`),
 * so a later sweep can tell a killed process's files from those of a process still running. A pid
 * alone cannot say that for this process's own pid: in a container every run is pid 1 (node as the
 * command), so a file of a run killed earlier (the OOM killer) carries the pid of the run now
 * sweeping, and the HTTP service writes and reads many syncs over one process's life. So this
 * process lists the names it has in use, and its own-pid names not in that list are leftovers.
 *
 * Names, not paths: their random part makes them unique within the process, and a name does not
 * depend on how its directory was spelled (a relative path, a symlink). The list lives in this
 * module, i.e. one per JavaScript realm: the c1z files of a process are written and read from its
 * main thread.
 */
const inUse = new Set<string>()

/** Marks the scratch name `name` as in use by this process until the scope closes. */
export const useScratchName = (name: string): Effect.Effect<void, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => void inUse.add(name)),
    () => Effect.sync(() => void inUse.delete(name))
  )

/**
 * A new scratch path beside `target`, `<its directory>/.<its name>.<pid>.<12 hex>`, in use by this
 * process until the scope closes: the caller adds a suffix (`.db`, `.tmp`), and a later run's
 * removeScratchLeftovers(target) removes what a killed process left under it.
 */
export const scratchPathBeside = (target: string): Effect.Effect<string, never, Scope.Scope> =>
  Effect.gen(function*() {
    const path = resolve(target)
    const name = `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}`
    yield* useScratchName(name)
    return join(dirname(path), name)
  })

/**
 * The longest target name (in bytes) whose scratch files ending in `suffix` fit in Linux's 255:
 * `.<name>.<pid>.<12 hex><suffix>`, with a pid of up to 7 digits (pid_max 4194304).
 */
export const longestScratchTarget = (suffix: string): number => 255 - ".".length - ".4194304.".length - 12 - suffix.length

/** Whether process `pid` exists (EPERM: it does, run by another user). */
const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * Whether the scratch file or directory `name`, made by process `owner` (undefined: a name from
 * before pids were added), was left behind: its owner is gone, or it is this process and does not
 * have it in use.
 */
export const isLeftBehind = (name: string, owner: number | undefined): boolean =>
  owner === undefined || owner <= 0 ? true : owner === process.pid ? !inUse.has(name) : !isRunning(owner)
