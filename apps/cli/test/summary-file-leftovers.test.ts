import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"

/**
 * A run killed during its --summary-file write (SIGKILL, the OOM killer) left the summary's
 * temporary file beside it, `.summary.json.<16 hex>.tmp`, and no later run removed it: the name said
 * nothing of its writer, where the .c1z's scratch files carry their pid. The summary's temporary
 * file is now named as those are, and the next sync removes a dead process's by their rules
 * (ScratchLeftovers.ts), as it does beside --file; a live process's is kept.
 */

/** A process that lives through the test: its pid stands for a summary write still running. */
const liveProcess = Effect.acquireRelease(
  Effect.sync(() => spawn("sleep", ["600"], { stdio: "ignore" })),
  (child) => Effect.sync(() => void child.kill("SIGKILL"))
)

/** A preload that kills the CLI's process (SIGKILL) as soon as the summary's temporary file is written, before its rename. */
const killedAtTheSummary = [
  "const fs = require(\"node:fs\")",
  "const writeFile = fs.writeFile",
  "fs.writeFile = function (path, data, options, callback) {",
  "  if (!/\\/\\.summary\\.json\\..*\\.tmp$/.test(String(path))) return writeFile.apply(this, arguments)",
  "  return writeFile.call(this, path, data, options, () => process.kill(process.pid, \"SIGKILL\"))",
  "}"
].join("\n")

describe("--summary-file's temporary files a killed run left", () => {
  it.scopedLive(
    "are removed by the next sync, with the pid-less name of earlier versions; a live process's is kept",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-summary-leftovers-" })
        const hook = `${dir}/killed-at-the-summary.cjs`
        yield* fs.writeFileString(hook, killedAtTheSummary)
        yield* fs.makeDirectory(`${dir}/out`)
        const flags = ["--sandbox", "-f", `${dir}/out/out.c1z`, "--summary-file", `${dir}/out/summary.json`, "--log-format", "json"]

        const killedRun = yield* Effect.flip(runCli(flags, { env: { NODE_OPTIONS: `--require ${hook}` } }))
        assert.include(String(killedRun), "Process interrupted due to receipt of signal: SIGKILL")
        const killed = (yield* fs.readDirectory(`${dir}/out`)).filter((name) => name.startsWith(".summary.json."))
        assert.strictEqual(killed.length, 1, killed.join(", "))
        assert.match(killed[0]!, /^\.summary\.json\.[0-9]+\.[0-9a-f]{12}\.tmp$/)

        const live = (yield* liveProcess).pid!
        const earlier = ".summary.json.0123456789abcdef.tmp"
        const running = `.summary.json.${live}.ba9876543210.tmp`
        for (const name of [earlier, running]) yield* fs.writeFileString(`${dir}/out/${name}`, "{\"grants\":")

        const result = yield* runCli(flags)
        assertExit(result, 0)
        const removed = logFields(result.stderr).filter((line) => String(line["msg"]).startsWith("removed "))
        assert.strictEqual(removed.length, 1, result.stderr)
        const { removed_files: files, ...line } = removed[0]!
        assert.deepStrictEqual(line, { level: "info", msg: "removed the scratch files a killed run left", file: `${dir}/out/summary.json` })
        assert.deepStrictEqual([...(files as ReadonlyArray<string>)].sort(), [`${dir}/out/${killed[0]}`, `${dir}/out/${earlier}`].sort())
        // Before: all three kept.
        assert.deepStrictEqual((yield* fs.readDirectory(`${dir}/out`)).sort(), [running, "out.c1z", "summary.json"].sort())
        const summary = JSON.parse(yield* fs.readFileString(`${dir}/out/summary.json`)) as Record<string, unknown>
        assert.strictEqual(summary["file"], `${dir}/out/out.c1z`)
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )
})
