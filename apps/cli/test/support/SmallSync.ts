import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { inject } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, runCli } from "./CliProcess.js"

/**
 * The CLI's sync of `--sandbox small` (with `flags`), made the first time a test of the worker asks
 * for it: the files of a worker share its modules (vitest.shared.ts), so once a run, where each
 * file synced its own (~0.8 s of CPU and ~1 s each).
 */
const syncedOnce = (flags: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const directory = yield* fs.makeTempDirectory({ directory: inject("sharedSyncDirectory") })
    const file = `${directory}/small.c1z`
    assertExit(yield* runCli(["--sandbox", "small", ...flags, "-f", file, "--log-level", "warn"]), 0)
    return file
  }).pipe(Effect.provide(NodeContext.layer), Effect.cached, Effect.runSync)

const smallSyncs = { withoutConnections: syncedOnce([]), withConnections: syncedOnce(["--sync-connections"]) }

/**
 * A copy of that sync at `path` (synced with `--sync-connections` for "withConnections"), for a
 * test that reads, diffs or crafts from a good sync file and is not about the sync itself; its own
 * to change.
 */
export const copySmallSync = (path: string, connections: "withConnections" | "withoutConnections" = "withoutConnections") =>
  Effect.flatMap(smallSyncs[connections], (file) => Effect.flatMap(FileSystem.FileSystem, (fs) => fs.copyFile(file, path)))
