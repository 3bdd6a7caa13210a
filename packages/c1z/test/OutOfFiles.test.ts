import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope, Stream } from "effect"
import { join } from "node:path"
import { noFreeDescriptors } from "../../fivetran-client/test/support/NoFreeDescriptors.js"
import { writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { listDir, tempDir } from "./TempDir.js"

/**
 * The writer out of file descriptors (a low `ulimit -n`) after its last row: its error sent the
 * operator to check the path, free disk space and permissions, none of which was the matter.
 */
describe("a sync file written by a process out of file descriptors", () => {
  it.scopedLive("fails naming the open-file limit and what to raise or lower, and leaves nothing behind", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "sync.c1z")
      const outOfFiles = yield* Scope.make()
      yield* Effect.addFinalizer(() => Scope.close(outOfFiles, Exit.void))
      const failure = yield* writeC1z(target, Stream.fromIterable(F.syncRows), {
        onRowsWritten: Scope.extend(noFreeDescriptors, outOfFiles)
      }).pipe(Effect.flip)
      yield* Scope.close(outOfFiles, Exit.void)
      assert.strictEqual(failure._tag, "Io")
      assert.match(
        failure.message,
        new RegExp(
          `^(${dir}/\\.sync\\.c1z\\.${process.pid}\\.[0-9a-f]{12}\\.tmp): could not compress the sync database: ` +
            "EMFILE: too many open files, open '\\1' " +
            "\\(the process ran out of open files \\(EMFILE\\): raise its open-file limit \\(ulimit -n, systemd's " +
            "LimitNOFILE, the container's nofile ulimit\\) or lower --concurrency\\)$"
        )
      )
      assert.deepStrictEqual(yield* listDir(dir), [])
    }))
})
