import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { inject } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, runCli } from "./CliProcess.js"

/**
 * The CLI's sync of an embedded sandbox with `flags`, made the first time a test of the worker asks
 * for it: the files of a worker share its modules (vitest.shared.ts), so once a run, where each
 * file synced its own (small: ~0.8 s of CPU and ~1 s each; medium: ~2.5 s of CPU and 2-5 s).
 */
const syncedOnce = (flags: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const directory = yield* fs.makeTempDirectory({ directory: inject("sharedSyncDirectory") })
    const file = `${directory}/sync.c1z`
    assertExit(yield* runCli([...flags, "-f", file, "--log-level", "warn"]), 0)
    return file
  }).pipe(Effect.provide(NodeContext.layer), Effect.cached, Effect.runSync)

const sandboxSyncs = {
  small: syncedOnce(["--sandbox", "small"]),
  "small with connections": syncedOnce(["--sandbox", "small", "--sync-connections"]),
  medium: syncedOnce(["--sandbox", "medium"])
}

/**
 * A copy of that sync of the `sandbox` preset (with `--sync-connections` if it says so) at `path`,
 * for a test that reads, diffs or crafts from a good sync file and is not about the sync itself;
 * its own to change.
 */
export const copySandboxSync = (path: string, sandbox: keyof typeof sandboxSyncs) =>
  Effect.flatMap(sandboxSyncs[sandbox], (file) => Effect.flatMap(FileSystem.FileSystem, (fs) => fs.copyFile(file, path)))
