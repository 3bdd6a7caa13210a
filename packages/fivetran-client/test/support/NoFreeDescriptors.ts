import { assert } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs"

/** Sets this process's open-file limit (`soft:hard`, as `prlimit --nofile` takes it). */
const setOwnOpenFileLimit = (limit: string) => {
  const result = spawnSync("prlimit", ["--pid", String(process.pid), `--nofile=${limit}`], { encoding: "utf8" })
  assert.strictEqual(result.status, 0, `prlimit failed: ${result.stderr}`)
}

/** This process's open-file limit now, as `soft:hard`. */
const ownOpenFileLimit = () => {
  const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((row) => row.startsWith("Max open files"))
  const [soft, hard] = line!.replace("Max open files", "").trim().split(/\s+/)
  return `${soft}:${hard}`
}

/**
 * This process out of file descriptors until the scope closes, as a service at its `ulimit -n` is:
 * its soft limit lowered to 64 above what it has open and those 64 taken (`/dev/null`), so
 * that its next open or connect fails with EMFILE. Then they are closed and the limit restored.
 */
export const noFreeDescriptors = Effect.acquireRelease(
  Effect.sync(() => {
    const limit = ownOpenFileLimit()
    setOwnOpenFileLimit(`${readdirSync("/proc/self/fd").length + 64}:${limit.split(":")[1]}`)
    const taken: Array<number> = []
    for (;;) {
      try {
        taken.push(openSync("/dev/null", "r"))
      } catch (error) {
        assert.strictEqual((error as NodeJS.ErrnoException).code, "EMFILE")
        return { limit, taken }
      }
    }
  }),
  ({ limit, taken }) =>
    Effect.sync(() => {
      taken.forEach((fd) => closeSync(fd))
      setOwnOpenFileLimit(limit)
    })
)
