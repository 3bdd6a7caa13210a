import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runCli } from "./support/CliProcess.js"

/**
 * A sync file's path that cannot name a file: a file named as a directory on the way, or symbolic
 * links that loop. The reader's open failed with "could not open the .c1z: ENOTDIR ... (check the
 * path, free disk space and permissions)", exit 1, as for a failing disk.
 */
describe("a sync file path that names no file", () => {
  it.scopedLive("is a usage error (exit 2) saying why, for -f and diff's files alike", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-paths-" })
      const file = `${dir}/sync.c1z`
      yield* fs.writeFileString(file, "not read")
      const loop = `${dir}/loop.c1z`
      yield* fs.symlink(loop, loop)
      const results = yield* Effect.forEach(
        [["grants", "-f", `${file}/x.c1z`], ["export", "-f", loop], ["diff", `${file}/old.c1z`, loop]],
        (args) => runCli(args)
      )
      const notADirectory = "no such file (a part of the path before its last names a file, not a directory)"
      const loops = "its symbolic links loop (or are nested too deep), so it names no file"
      assert.deepStrictEqual(results, [
        { exitCode: 2, stdout: "", stderr: `error: --file ${file}/x.c1z: ${notADirectory}\n` },
        { exitCode: 2, stdout: "", stderr: `error: --file ${loop}: ${loops}\n` },
        { exitCode: 2, stdout: "", stderr: `error: OLD.c1z ${file}/old.c1z: ${notADirectory}\n` }
      ])
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})
