import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { binPath } from "./support/CliProcess.js"
import { countsIn } from "./support/ResourceCounts.js"
import { accountRoleCount, smallAccount } from "./support/Sandboxes.js"

/**
 * A sync whose stderr loses its reader (`2>&1 | head`, a log collector restarting) goes on: its
 * result is the file, the exit code and --summary-file, none of which needs stderr. It ended at the
 * next log line, exit 1 (Node's EPIPE thrown as an 'error' event), the sync file not written and
 * its scratch database left beside it.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-stderr-" }))

/** The CLI with the read end of its stderr closed once the first chunk arrived (its first log line). */
const runStderrClosedAfterFirstLine = (args: ReadonlyArray<string>) =>
  Effect.async<{ readonly exitCode: number | null; readonly stdout: string }>((resume) => {
    const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" }
    const child = spawn(process.execPath, [binPath, ...args], { env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => stdout += chunk)
    child.stderr.once("data", () => child.stderr.destroy())
    child.on("close", (exitCode) => resume(Effect.succeed({ exitCode, stdout })))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

describe("stderr without a reader", () => {
  it.scopedLive("a sync still completes: exit 0, the file and the summary written, no scratch file left", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      for (const format of ["console", "json"]) {
        const file = `${dir}/${format}.c1z`
        const summaryFile = `${dir}/${format}.json`
        const result = yield* runStderrClosedAfterFirstLine([
          "--sandbox",
          "small",
          "-f",
          file,
          "--summary-file",
          summaryFile,
          "--log-format",
          format
        ])
        assert.deepStrictEqual(result, { exitCode: 0, stdout: "" }, format)
        const expected = {
          user: smallAccount.users.length,
          role: accountRoleCount(smallAccount),
          group: smallAccount.groups.length,
          team: smallAccount.teams.length
        }
        assert.deepStrictEqual(yield* countsIn(file), expected, format)
        const summary = JSON.parse(yield* fs.readFileString(summaryFile)) as { readonly resources: unknown }
        assert.deepStrictEqual(summary.resources, expected, format)
      }
      assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), ["console.c1z", "console.json", "json.c1z", "json.json"])
    }).pipe(Effect.provide(NodeContext.layer)))
})
