import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit } from "./support/CliProcess.js"
import { clockSetBackOptions } from "./support/ClockSteps.js"
import { connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"
import { runUnderTerminal } from "./support/Terminal.js"

/**
 * The progress line on a terminal while the machine's clock is set back (an NTP step, a VM resumed,
 * a hand-set date). Its redraws, at most one per 100 ms, were spaced by the wall clock's difference:
 * once the clock went back an hour nothing was redrawn until the next phase began, and a long
 * phase looked hung. The preload (ClockSteps.ts) sets the CLI's clock back an hour at each
 * connection it opens, the teams phase's first request's among them.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-progress-line-" }))

/** The phase of each progress line drawn on the terminal, in order: each is drawn over an erased line. */
const drawnPhases = (terminal: string) =>
  terminal.split("\r\x1b[2K").flatMap((drawn) => {
    const phase = /^syncing ([a-z ]+): /.exec(drawn)?.[1]
    return phase === undefined ? [] : [phase]
  })

describe("the progress line on a terminal", () => {
  it.scopedLive("is redrawn within a phase while the clock is set back", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const dir = yield* tempDir
      const { flags } = yield* connectionFlags
      // Every answer takes longer than the line's 100 ms between redraws, one request at a time: a
      // team's two lists (its users, its groups) end at least 300 ms after the previous team's.
      yield* sandbox.setFaults({ latency: { minMillis: 150, maxMillis: 150 } })
      const nodeOptions = yield* clockSetBackOptions(dir, { at: "every connection" })
      const result = yield* runUnderTerminal([...flags, "-f", `${dir}/out.c1z`, "--concurrency", "1"], {
        NODE_OPTIONS: nodeOptions
      })
      assertExit(result, 0)
      const phases = drawnPhases(result.stdout)
      assert.deepStrictEqual(phases.filter((phase, i) => phase !== phases[i - 1]), [
        "resource types",
        "teams",
        "users",
        "derived grants",
        "groups",
        "done"
      ])
      // As the phase began, then as each team's lists were read. Was once: as it began.
      assert.strictEqual(phases.filter((phase) => phase === "teams").length, 1 + smallAccount.teams.length)
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)), 120_000)
})
