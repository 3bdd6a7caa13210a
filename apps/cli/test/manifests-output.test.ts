import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { closeSync, openSync } from "node:fs"
import { binPath } from "./support/CliProcess.js"

/**
 * `capabilities` and `config` print to stdout as the review commands do: a write that fails (a
 * full disk, here /dev/full) fails the command, exit 1, naming why. They printed through
 * Console.log, which lost the failure: exit 0 and nothing written.
 */

const runIntoFullDisk = (args: ReadonlyArray<string>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => openSync("/dev/full", "w")),
    (full) =>
      Effect.async<{ readonly exitCode: number | null; readonly stderr: string }>((resume) => {
        const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", BATON_LOG_FORMAT: "console" }
        const child = spawn(process.execPath, [binPath, ...args], { env, stdio: ["ignore", full, "pipe"] })
        let stderr = ""
        child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk)
        child.on("close", (exitCode) => resume(Effect.succeed({ exitCode, stderr })))
        return Effect.sync(() => child.kill("SIGKILL"))
      }),
    (full) => Effect.sync(() => closeSync(full))
  )

describe("the manifests' output", () => {
  it.live("capabilities and config on a full disk exit 1 saying the output could not be written", () =>
    Effect.gen(function*() {
      const results = yield* Effect.all([runIntoFullDisk(["capabilities"]), runIntoFullDisk(["config"])], { concurrency: 2 })
      const line = "error: could not write the output to standard output: no space left on device (ENOSPC)\n"
      assert.deepStrictEqual(results, [{ exitCode: 1, stderr: line }, { exitCode: 1, stderr: line }])
    }), 60_000)
})
