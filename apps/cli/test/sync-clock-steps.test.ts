import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { performance } from "node:perf_hooks"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"
import { clockSetBackOptions } from "./support/ClockSteps.js"
import { connectionFlags, sandboxLayer } from "./support/Sandboxes.js"

/**
 * A sync's duration while the machine's clock is set back (an NTP step, a VM resumed, a hand-set
 * date): it was the wall clock's difference, and a sync during which the clock went back an hour
 * per connection reported `duration -17999.6s` (duration_ms -17999561). A clock step cannot be
 * real in a test: a preload sets Node's Date.now back an hour each time the process connects (ClockSteps.ts).
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-clock-steps-" }))

describe("a sync while the clock is set back", () => {
  it.scopedLive("its duration is the time it took, not the wall clock's difference", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const { flags } = yield* connectionFlags
      const nodeOptions = yield* clockSetBackOptions(dir, { at: "every connection" })
      const before = performance.now()
      const result = yield* runCli([...flags, "-f", `${dir}/out.c1z`, "--log-format", "json"], {
        env: { NODE_OPTIONS: nodeOptions, BATON_SUMMARY_FILE: `${dir}/summary.json` }
      })
      const elapsed = performance.now() - before
      assertExit(result, 0)
      const logged = logFields(result.stderr).find((line) => line.msg === "sync complete")!
      const written = JSON.parse(yield* fs.readFileString(`${dir}/summary.json`)) as { readonly durationMillis: number }
      assert.strictEqual(written.durationMillis, logged["duration_ms"])
      // Within what the test saw the process take, by its own monotonic clock.
      assert.isAtLeast(written.durationMillis, 0)
      assert.isAtMost(written.durationMillis, elapsed)
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)), 120_000)
})

/**
 * The start's sweep of scratch files (c1z's ScratchOwners.ts) on a volume shared with another
 * host's container, pid 1 too, whose clock runs 3 minutes behind: by this host's clock alone its
 * running write's database had gone unrenewed for 3 minutes, a killed run's, and was removed. The
 * preload plays both: this process's clock 3 minutes ahead, and the neighbour's database, named
 * with this pid and renewed every second by the real clock.
 */
const neighbourBehind = (dir: string) =>
  `const { utimesSync, writeFileSync } = require("node:fs")
const now = Date.now
Date.now = () => now() + 180_000
const database = ${JSON.stringify(dir)} + "/.out.c1z." + process.pid + ".cccccccccccc.db"
writeFileSync(database, "")
setInterval(() => {
  try { utimesSync(database, new Date(now()), new Date(now())) } catch {}
}, 1_000).unref()
`

describe("a sync beside another host's running write, whose clock runs 3 minutes behind", () => {
  it.scopedLive("keeps its scratch database, which goes on being renewed", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const preloads = yield* tempDir
      const { flags } = yield* connectionFlags
      yield* fs.writeFileString(`${preloads}/neighbour-behind.cjs`, neighbourBehind(dir))
      const result = yield* runCli([...flags, "-f", `${dir}/out.c1z`, "--log-level", "error"], {
        env: { NODE_OPTIONS: `--require ${preloads}/neighbour-behind.cjs` }
      })
      assertExit(result, 0)
      const names = [...yield* fs.readDirectory(dir)].sort()
      // Was ["out.c1z"]: the neighbour's database removed as a killed run's.
      assert.deepStrictEqual(names.map((name) => name.replace(/^\.out\.c1z\.[0-9]+\./, ".out.c1z.PID.")), [
        ".out.c1z.PID.cccccccccccc.db",
        "out.c1z"
      ])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)), 120_000)
})
