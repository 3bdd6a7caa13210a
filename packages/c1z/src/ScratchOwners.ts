import { Duration, Effect, type Scope } from "effect"
import { randomBytes } from "node:crypto"
import { stat, utimes } from "node:fs/promises"
import { basename, dirname, join, resolve } from "node:path"
import { processRunning } from "./ProcessRunning.js"

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
 *
 * That list cannot speak for another process with the same pid: two containers sharing a volume
 * (a CronJob's run overlapping the previous one, a job started by hand beside the scheduled one)
 * are both pid 1, and each took the other's scratch database for a killed run's and removed it, so
 * that the first sync failed at its end (ENOENT on its own database). So a process renews the times
 * of the files it has in use every RenewalInterval, and an own-pid name not in this process's list
 * counts as left only once its file has gone unrenewed for RenewedLately, by this host's clock, and
 * then stays unrenewed while this process watches it (WatchedFor): the other container's clock may
 * not be this one's.
 */
const inUse = new Set<string>()

/** Open while no name is in use (scratchReleased). */
const noneInUse = Effect.unsafeMakeLatch(true)

/** How often a process renews the modification time of the scratch files it has in use. */
const RenewalInterval = Duration.seconds(10)

/**
 * An own-pid file renewed within this may be another pid namespace's live process's. Many renewals
 * long: SQLite's index builds hold the event loop for seconds in a large sync, and a network
 * volume's server may set a write's time by a clock a little behind. A run killed in a container
 * leaves files the next run within this span keeps; a later one (the next scheduled run) removes them.
 */
const RenewedLately = Duration.minutes(2)

/**
 * How long a sweep watches the own-pid files its clock finds unrenewed before taking them for left:
 * two renewals and a margin, as one may come seconds late while SQLite builds an index. A file's
 * time is its renewer's clock: a container on a host whose clock ran 3 minutes behind the sweeper's
 * renewed its scratch database 10 s before, yet it read as unrenewed for 3 minutes and was removed
 * under its running write. The watch is timed by this process (Effect.sleep), whatever the clocks
 * say, and is one for all of a sweep's files: it costs only a sweep that finds such a file (a
 * container's killed run's, pid 1 again), once. Only the writers' sweep watches (ScratchLeftovers.ts):
 * their scratch files lie beside the target, on a volume containers share.
 */
const WatchedFor = Duration.sum(Duration.times(RenewalInterval, 2), Duration.seconds(2))

/**
 * Sets the files' times to now; one not made yet, or already removed, is skipped. The file system's
 * time, the wall clock, not the Effect Clock (a test's TestClock): another process compares it with its own.
 */
const renew = (paths: ReadonlyArray<string>) =>
  Effect.promise(() => {
    const now = new Date()
    return Promise.all(paths.map((path) => utimes(path, now, now).catch(() => undefined)))
  })

/**
 * Marks the scratch name `name` as in use by this process until the scope closes, and renews the
 * times of `paths` (the files or directory made under that name) meanwhile.
 */
export const useScratchName = (name: string, paths: ReadonlyArray<string>): Effect.Effect<void, never, Scope.Scope> =>
  Effect.zipRight(
    Effect.acquireRelease(
      Effect.sync(() => {
        inUse.add(name)
        noneInUse.unsafeClose()
      }),
      () =>
        Effect.sync(() => {
          inUse.delete(name)
          if (inUse.size === 0) noneInUse.unsafeOpen()
        })
    ),
    Effect.asVoid(Effect.forkScoped(Effect.forever(Effect.zipRight(Effect.sleep(RenewalInterval), renew(paths)))))
  )

/**
 * Waits, `maxWait` at most, until this process has no scratch file or working copy in use, and
 * returns the names still in use then (none: all removed). Each is removed as the scope that made
 * it closes, and a name is in use until its files are gone; but a scope may close on another fiber
 * than the one ending the process: the HTTP service's stop returned once its last connection had
 * ended, while the request that had read a sync through a working copy (~15 times its file) was
 * still removing it, and the copy stayed until the next start.
 */
export const scratchReleased = (maxWait: Duration.DurationInput): Effect.Effect<ReadonlyArray<string>> =>
  Effect.timeoutTo(noneInUse.await, {
    duration: maxWait,
    onSuccess: () => [],
    onTimeout: () => Array.from(inUse)
  })

/** What a writer adds to its scratch path (scratchPathBeside): its database, that database's journal, its compressed file. */
export const scratchSuffixes = [".db", ".db-journal", ".tmp"] as const

/**
 * A new scratch path beside `target`, `<its directory>/.<its name>.<pid>.<12 hex>`, in use by this
 * process until the scope closes: the caller adds a suffix (`.db`, `.tmp`), and a later run's
 * removeScratchLeftovers(target) removes what a killed process left under it.
 */
export const scratchPathBeside = (target: string): Effect.Effect<string, never, Scope.Scope> =>
  Effect.gen(function*() {
    const path = resolve(target)
    const name = `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}`
    const scratch = join(dirname(path), name)
    yield* useScratchName(name, scratchSuffixes.map((suffix) => `${scratch}${suffix}`))
    return scratch
  })

/**
 * The longest target name (in bytes) whose scratch files ending in `suffix` fit in Linux's 255:
 * `.<name>.<pid>.<12 hex><suffix>`, with a pid of up to 7 digits (pid_max 4194304).
 */
export const longestScratchTarget = (suffix: string): number => 255 - ".".length - ".4194304.".length - 12 - suffix.length

/** A scratch file or directory a sweep found: its name as marked in use, its owner's pid (undefined: from before pids were added). */
export interface ScratchEntry {
  readonly name: string
  readonly owner: number | undefined
  readonly path: string
}

/** Its modification time; undefined when it is gone. */
const modifiedAt = (path: string) => Effect.promise(() => stat(path).then((found) => found.mtimeMs, () => undefined))

/**
 * What a first look says of `entry`: left behind, kept, or (a modification time) to be watched: it
 * has this process's pid, is not in use here, and this host's clock finds it unrenewed for
 * RenewedLately (the wall clock, as `renew`'s).
 */
const firstLook = ({ name, owner, path }: ScratchEntry): Effect.Effect<boolean | number> =>
  owner === undefined || owner <= 0
    ? Effect.succeed(true)
    : owner !== process.pid
    ? Effect.sync(() => !processRunning(owner))
    : inUse.has(name)
    ? Effect.succeed(false)
    : Effect.map(modifiedAt(path), (mtime) =>
      mtime === undefined ? true : Date.now() - mtime < Duration.toMillis(RenewedLately) ? false : mtime)

/**
 * Whether each of `entries` was left behind: its owner is gone, or it has this process's pid, is not
 * in use here, and its clock finds it unrenewed for RenewedLately (another container's process is
 * pid 1 too); `watched`: and it is not renewed while this process watches it for WatchedFor.
 */
export const leftBehind = (entries: ReadonlyArray<ScratchEntry>, watched: boolean): Effect.Effect<ReadonlyArray<boolean>> =>
  Effect.gen(function*() {
    const looks = yield* Effect.forEach(entries, firstLook)
    if (!watched || looks.every((look) => typeof look === "boolean")) return looks.map((look) => look !== false)
    yield* Effect.sleep(WatchedFor)
    return yield* Effect.forEach(entries, (entry, index) => {
      const look = looks[index]!
      return typeof look === "boolean"
        ? Effect.succeed(look)
        : Effect.map(modifiedAt(entry.path), (now) => now === undefined || now === look)
    })
  })
