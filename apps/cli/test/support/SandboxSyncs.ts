import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { inject } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { assertExit, runCli } from "./CliProcess.js"

/**
 * The CLI's sync of an embedded sandbox with `flags`, made once a run, the first time a test asks
 * for it (small: ~0.8 s of CPU; medium: ~2.5 s), where each file once made its own, and then each
 * worker (its files share its modules, vitest.shared.ts). The worker that makes the directory
 * `<name>.claim` in the run's directory (SharedSyncDirectory.ts) syncs into it and renames the file
 * out once the sync has ended; another waits for that file, or for `<name>.failed`.
 */
const syncedOnce = (name: string, flags: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const directory = inject("sharedSyncDirectory")
    const [file, claim, failed] = [`${directory}/${name}.c1z`, `${directory}/${name}.claim`, `${directory}/${name}.failed`]
    const claimed = yield* fs.makeDirectory(claim).pipe(
      Effect.as(true),
      Effect.catchIf((error) => error._tag === "SystemError" && error.reason === "AlreadyExists", () => Effect.succeed(false))
    )
    if (claimed) {
      const result = yield* runCli([...flags, "-f", `${claim}/sync.c1z`, "--log-level", "warn"])
      if (result.exitCode !== 0) yield* fs.writeFileString(failed, "")
      assertExit(result, 0)
      yield* fs.rename(`${claim}/sync.c1z`, file)
      return file
    }
    const ready = yield* Effect.all([fs.exists(file), fs.exists(failed)]).pipe(
      Effect.filterOrFail(([made, refused]) => made || refused),
      Effect.retry(Schedule.spaced("100 millis"))
    )
    if (!ready[0]) return yield* Effect.dieMessage(`the shared ${name} sync failed in another worker (see its test's failure)`)
    return file
  }).pipe(Effect.provide(NodeContext.layer), Effect.cached, Effect.runSync)

const sandboxSyncs = {
  small: syncedOnce("small", ["--sandbox", "small"]),
  "small with connections": syncedOnce("small-with-connections", ["--sandbox", "small", "--sync-connections"]),
  medium: syncedOnce("medium", ["--sandbox", "medium"])
}

/**
 * A copy of that sync of the `sandbox` preset (with `--sync-connections` if it says so) at `path`,
 * for a test that reads, diffs or crafts from a good sync file and is not about the sync itself;
 * its own to change.
 */
export const copySandboxSync = (path: string, sandbox: keyof typeof sandboxSyncs) =>
  Effect.flatMap(sandboxSyncs[sandbox], (file) => Effect.flatMap(FileSystem.FileSystem, (fs) => fs.copyFile(file, path)))
