import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { processRunning } from "../src/ProcessRunning.js"

/**
 * processRunning, which the sweep of a killed sync's scratch files and the HTTP service's data
 * directory lock ask of a recorded pid. A zombie (killed, not reaped: a container whose pid 1 reaps
 * nothing) answered signal 0 as alive, so its lock held and its scratch database stayed.
 */

/**
 * A process that exits under a parent that never reaps it: its pid, once a zombie. It exits after
 * the shell has become `sleep` (exec), which reaps nothing; exiting at once, the shell could reap it
 * first (it did, on a loaded machine).
 */
const zombie = Effect.acquireRelease(
  Effect.async<{ readonly pid: number; readonly parent: ReturnType<typeof spawn> }>((resume) => {
    const parent = spawn("sh", ["-c", "sleep 0.3 & echo $!; exec sleep 30"], { stdio: ["ignore", "pipe", "ignore"] })
    parent.stdout.once("data", (chunk: Buffer) => resume(Effect.succeed({ pid: Number(String(chunk).trim()), parent })))
  }),
  ({ parent }) => Effect.sync(() => parent.kill("SIGKILL"))
).pipe(
  Effect.tap(({ pid }) =>
    Effect.sync(() => readFileSync(`/proc/${pid}/stat`, "utf8")).pipe(
      Effect.repeat({ schedule: Schedule.spaced("20 millis"), until: (stat) => stat.charAt(stat.lastIndexOf(")") + 2) === "Z" })
    )
  )
)

describe("processRunning", () => {
  it.scopedLive("is true of this process, false of a zombie and of a pid that is gone", () =>
    Effect.gen(function*() {
      const { pid } = yield* zombie
      assert.deepStrictEqual([processRunning(process.pid), processRunning(pid), processRunning(2 ** 22 + 1)], [true, false, false])
    }))
})
