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
