import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { assertExit, binPath, runCli } from "./support/CliProcess.js"
import { copySandboxSync } from "./support/SandboxSyncs.js"

/**
 * Ctrl-C (SIGINT) or SIGTERM stops a review command between two pages of rows, run as the real CLI
 * process: exit 130, a word on stderr, stdout a proper beginning of the complete output, and none
 * of the reader's decompressed copies left in the temporary directory.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-review-signals-" }))

/** SIGHUP (the terminal closed) is taken as SIGTERM. */
type StopSignal = "SIGINT" | "SIGTERM" | "SIGHUP"

interface Run {
  readonly exitCode: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs the CLI with `TMPDIR=tmp`; once the first rows arrive, stops reading (so the CLI cannot get
 * far ahead: the pipe fills), sends `signal`, then reads to the end.
 */
const signalAfterFirstRows = (args: ReadonlyArray<string>, tmp: string, signal: StopSignal) =>
  Effect.async<Run>((resume) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp, BATON_LOG_FORMAT: "console" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk)
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => stdout += chunk)
    child.stdout.once("data", () => {
      child.stdout.pause()
      child.kill(signal)
      child.stdout.resume()
    })
    child.on("close", (exitCode) => resume(Effect.succeed({ exitCode, stdout, stderr })))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

describe("review commands and signals", () => {
  it.scopedLive("SIGINT, SIGTERM or SIGHUP stops export, grants and diff: exit 130, part of the output, no temporary file left", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const tmp = `${dir}/tmp`
      yield* fs.makeDirectory(tmp)
      const [medium, small] = [`${dir}/medium.c1z`, `${dir}/small.c1z`]
      yield* copySandboxSync(medium, "medium")
      assertExit(yield* runCli(["--sandbox", "small", "-f", small, "--log-level", "warn"]), 0)

      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, StopSignal]> = [
        [["export", "-f", medium, "-o", "csv"], "SIGINT"],
        [["export", "-f", medium, "-o", "json"], "SIGHUP"],
        [["grants", "-f", medium, "-o", "json"], "SIGTERM"],
        // The older sync first: the other way round, diff warns on stderr that it reads backwards.
        [["diff", medium, small, "-o", "json"], "SIGINT"],
        [["diff", medium, small, "-o", "table"], "SIGTERM"]
      ]
      for (const [args, signal] of cases) {
        const label = `${args.join(" ")} (${signal})`
        const complete = yield* runCli(args, { env: { TMPDIR: tmp } })
        assertExit(complete, 0)
        const stopped = yield* signalAfterFirstRows(args, tmp, signal)
        assert.strictEqual(stopped.exitCode, 130, `${label}: ${stopped.stderr}`)
        assert.strictEqual(stopped.stderr, "interrupted: the output is incomplete\n", label)
        assert.isTrue(stopped.stdout.length > 0 && stopped.stdout.length < complete.stdout.length, label)
        assert.isTrue(complete.stdout.startsWith(stopped.stdout), label)
        assert.deepStrictEqual(yield* fs.readDirectory(tmp), [], label)
      }
    }).pipe(Effect.provide(NodeContext.layer)))
})
