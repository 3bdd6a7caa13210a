import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { Command, FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { assertExit, binPath, jsonLines, runCommand } from "./support/CliProcess.js"
import { countsIn } from "./support/ResourceCounts.js"
import { connectionFlags } from "./support/Sandboxes.js"

/**
 * A CronJob's container with a low open-file limit (`ulimit -n 64`) syncing at `--concurrency 64`:
 * each request in flight holds a socket, and the client kept them open, idle, after the last row,
 * so the finished sync failed opening its compressed file, exit 1, `could not compress the sync
 * database: EMFILE: too many open files`, its every request made and thrown away. The sandbox runs
 * in the test's process, outside the limit; its latency keeps many requests in flight at once.
 */
const OpenFileLimit = 64

const mediumSandbox = Sandbox.layer({
  snapshot: generatePreset("medium"),
  port: 0,
  faults: { latency: { minMillis: 20, maxMillis: 20 } }
})

/** The bundled CLI with `args`, its open-file limit (soft and hard) `OpenFileLimit`. */
const runWithOpenFileLimit = (args: ReadonlyArray<string>) =>
  runCommand(
    Command.make("prlimit", `--nofile=${OpenFileLimit}:${OpenFileLimit}`, process.execPath, binPath, ...args).pipe(
      Command.env({ PATH: process.env.PATH, HOME: process.env.HOME }, { extendEnv: false })
    )
  )

describe("a sync under a low open-file limit", () => {
  it.scopedLive(`at --concurrency 64 under ulimit -n ${OpenFileLimit} completes its file`, () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-open-files-" })
      const { flags } = yield* connectionFlags
      const result = yield* runWithOpenFileLimit([...flags, "-f", `${dir}/acme.c1z`, "--concurrency", "64", "--log-format", "json"])
      // Was exit 1: `.../.acme.c1z.<pid>.<hex>.tmp: could not compress the sync database: EMFILE: too many open files`.
      assertExit(result, 0)
      assert.deepStrictEqual(jsonLines(result.stderr).filter((line) => line["level"] === "error"), [])
      assert.deepStrictEqual(yield* countsIn(`${dir}/acme.c1z`), { user: 1000, role: 7, group: 60, team: 40 })
      assert.deepStrictEqual(yield* fs.readDirectory(dir), ["acme.c1z"])
    }).pipe(Effect.provide(Layer.merge(mediumSandbox, NodeContext.layer))), 120_000)
})
