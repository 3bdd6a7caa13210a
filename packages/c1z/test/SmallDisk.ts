import { Effect } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import { mkdtempSync, rmdirSync, statfsSync, writeFileSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

/**
 * A real full disk: a directory on a tmpfs of its own, a few MiB, which a sync fills as a full
 * volume does (ENOSPC, SQLITE_FULL). Mounting one needs root (CAP_SYS_ADMIN); the CLI's and the
 * service's tests use it too.
 */

const probeMount = (): boolean => {
  const dir = mkdtempSync(join(tmpdir(), "small-disk-probe-"))
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "ignore" }).status === 0
  if (mounted) spawnSync("umount", [dir], { stdio: "ignore" })
  rmdirSync(dir)
  return mounted
}

/** Why this machine cannot mount a small disk (a suite skips, saying it), or undefined when it can. */
export const smallDiskUnavailable: string | undefined = process.getuid?.() !== 0
  ? "needs root, to mount a small tmpfs"
  : probeMount()
  ? undefined
  : "this machine does not let root mount a tmpfs"

/** A suite's name, saying why its tests are skipped where they are. */
export const smallDiskSuite = (name: string) => smallDiskUnavailable === undefined ? name : `${name} (skipped: ${smallDiskUnavailable})`

/** A tmpfs of `kibibytes` KiB mounted on the existing directory `dir` until the scope closes. */
export const smallDiskAt = (dir: string, kibibytes: number) =>
  Effect.acquireRelease(
    Effect.sync(() => execFileSync("mount", ["-t", "tmpfs", "-o", `size=${kibibytes}k,mode=0755`, "tmpfs", dir])),
    () => Effect.sync(() => spawnSync("umount", [dir], { stdio: "ignore" }))
  )

/** A fresh directory on a tmpfs of `kibibytes` KiB, unmounted and removed when the scope closes. */
export const smallDisk = (kibibytes: number) =>
  Effect.gen(function*() {
    const dir = yield* Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "small-disk-"))),
      (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
    )
    yield* smallDiskAt(dir, kibibytes)
    return dir
  })

/** Fills the disk of `dir` with a file of its own (`name`) until only `leftBytes` are free. */
export const fillLeaving = (dir: string, leftBytes: number, name = "filler") =>
  Effect.sync(() => {
    const disk = statfsSync(dir)
    writeFileSync(join(dir, name), Buffer.alloc(disk.bfree * disk.bsize - leftBytes))
  })
