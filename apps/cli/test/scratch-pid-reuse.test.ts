import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { utimes } from "node:fs/promises"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"

/**
 * The scratch files of a killed sync carry its pid, and the next run removes those whose pid no
 * process has. A pid the system has since given to another process (days of cron runs on one host,
 * another pod's process on a shared volume) kept the killed run's files as a running write's, as
 * large as the sync, until that unrelated process ended. A file last written before the process
 * now holding its pid started cannot be that process's.
 */

/** A process that lives through the test, started now: its pid stands for a reused one. */
const otherProcess = Effect.acquireRelease(
  Effect.sync(() => spawn("sleep", ["600"], { stdio: "ignore" })),
  (child) => Effect.sync(() => void child.kill("SIGKILL"))
)

describe("scratch files beside --file whose pid another process has now", () => {
  it.scopedLive("are removed when last written before that process started; one written since is kept", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-pid-reuse-" })
      const other = yield* otherProcess
      const pid = other.pid!
      const left = `.out.c1z.${pid}.0123456789ab.db`
      const recent = `.out.c1z.${pid}.ba9876543210.db`
      yield* fs.writeFileString(`${dir}/${left}`, "a killed run's sync database")
      yield* fs.writeFileString(`${dir}/${recent}`, "written since that process started")
      // A day before the process holding the pid started: the run that wrote it was another.
      const dayAgo = new Date(Date.now() - 24 * 3600 * 1000)
      yield* Effect.promise(() => utimes(`${dir}/${left}`, dayAgo, dayAgo))

      const result = yield* runCli(["--sandbox", "-f", `${dir}/out.c1z`, "--log-format", "json"])
      assertExit(result, 0)
      assert.deepStrictEqual(
        logFields(result.stderr).filter((line) => String(line["msg"]).startsWith("removed ")),
        [{
          level: "info",
          msg: "removed the scratch files a killed run left",
          file: `${dir}/out.c1z`,
          removed_files: [`${dir}/${left}`]
        }]
      )
      // Before: both kept, the day-old one as a running write's.
      assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), [recent, "out.c1z"].sort())
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})
