import { Effect } from "effect"
import { assertExit, runCli } from "./CliProcess.js"
import { copySandboxSync } from "./SandboxSyncs.js"
import { connectionFlags } from "./Sandboxes.js"

/**
 * Two syncs in `dir` around provisioning `actions` (each a -p run's flags, checked to exit 0) made on
 * the test's small sandbox: before.c1z, the untouched small account's (the worker's shared sync of
 * `--sandbox small`, the same preset, copied), and after.c1z, the sandbox's once they are done. For a
 * test of what diff and the listings say of a change; gives both paths and the actions' runs.
 */
export const syncsAround = (dir: string, actions: ReadonlyArray<ReadonlyArray<string>>) =>
  Effect.gen(function*() {
    const { flags } = yield* connectionFlags
    const [before, after] = [`${dir}/before.c1z`, `${dir}/after.c1z`]
    yield* copySandboxSync(before, "small")
    const runs = yield* Effect.forEach(actions, (action) =>
      Effect.tap(runCli([...flags, "-p", ...action, "--log-level", "warn"]), (run) => assertExit(run, 0)))
    assertExit(yield* runCli([...flags, "-f", after, "--log-level", "warn"]), 0)
    return { before, after, runs }
  })
