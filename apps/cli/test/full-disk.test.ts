import { NodeContext } from "@effect/platform-node"
import { FileSystem } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { smallDisk, smallDiskSuite, smallDiskUnavailable } from "../../../packages/c1z/test/SmallDisk.js"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"

/**
 * A sync whose --file's disk fills. It said `<dir>/.acme.c1z.<pid>.<hex>.db: could not write sync
 * rows: database or disk is full (check the path, free disk space and permissions)`: not which
 * disk, nor how much a sync needs there. Now it names the directory and about how much.
 */

const syncInto = (file: string) => runCli(["--sandbox", "medium", "-f", file, "--log-format", "json"])

/** The failure's JSON line: its message, reason and exit code. */
const failureLine = (stderr: string) =>
  logFields(stderr).filter((line) => line.level === "error").map(({ c1z_sync_id: _id, ...line }) => line)

describe.skipIf(smallDiskUnavailable !== undefined)(smallDiskSuite("a sync whose --file's disk fills"), () => {
  it.scopedLive(
    "as rows are written says the directory, how far the database got and what the file there suggests a sync needs",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const roomy = yield* fs.makeTempDirectoryScoped()
        assertExit(yield* syncInto(`${roomy}/acme.c1z`), 0)
        const dir = yield* smallDisk(2048)
        const file = `${dir}/acme.c1z`
        // Last run's file, which this run would replace: 0.6 MiB of the 2.
        yield* fs.copyFile(`${roomy}/acme.c1z`, file)
        const previous = yield* fs.readFile(file)

        const result = yield* syncInto(file)
        assertExit(result, 1)
        assert.deepStrictEqual(failureLine(result.stderr), [{
          level: "error",
          msg: `could not write the sync output: ${file}: could not write sync rows: no space left in ${dir}, the sync file's directory ` +
            "(SQLITE_FULL): the sync database there had reached 1.3 MiB and was still growing; a sync needs room beside the file " +
            "for its whole database, then about 1/15 of it more for the compressed file; with the sync file there now (0.6 MiB), " +
            `a sync of the same account needs about 11.2 MiB free there: free space in ${dir}, or write the sync file to a disk with more room`,
          reason: "storage",
          exit_code: 1
        }])
        assert.deepStrictEqual(yield* fs.readDirectory(dir), ["acme.c1z"])
        assert.deepStrictEqual(yield* fs.readFile(file), previous)
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "as the database is compressed says the directory, the database's size and about how much more the file needs",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        // Room for a medium account's database (10.5 MiB), not for its file too.
        const dir = yield* smallDisk(11_000)
        const file = `${dir}/acme.c1z`
        const result = yield* syncInto(file)
        assertExit(result, 1)
        assert.deepStrictEqual(failureLine(result.stderr), [{
          level: "error",
          msg: `could not write the sync output: ${file}: could not write the compressed sync database: no space left in ${dir}, ` +
            "the sync file's directory (ENOSPC): the sync database there is 10.5 MiB, and the file compressed from it needs about " +
            `0.7 MiB more beside it (1/15 of the database) before it replaces the sync file: free space in ${dir}, or write the sync ` +
            "file to a disk with more room",
          reason: "storage",
          exit_code: 1
        }])
        assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
