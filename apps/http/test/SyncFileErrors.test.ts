import { SyncSink } from "@baton-fivetran/connector-core"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope, Stream } from "effect"
import { syncRows } from "../../../packages/c1z/test/fixtures.js"
import { noFreeDescriptors } from "../../../packages/fivetran-client/test/support/NoFreeDescriptors.js"
import { syncFileSink } from "../src/SyncFileSink.js"

/**
 * What a job's `error` says of a sync file the service could not finish. Out of file descriptors
 * (a low `ulimit -n`), it said `an error (EMFILE)`, and the writer's own text (in the log) to check
 * the path, free disk space and permissions: nothing about the limit or what to change.
 */

describe("a sync file the service cannot finish", () => {
  it.scopedLive("for want of a file descriptor says the process ran out of open files and what to raise or lower", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      // Out of descriptors from the last row on, as the service was with its sync's idle connections.
      const outOfFiles = yield* Scope.make()
      yield* Effect.addFinalizer(() => Scope.close(outOfFiles, Exit.void))
      const fullTexts: Array<string> = []
      const failure = yield* SyncSink.pipe(
        Effect.flatMap((sink) => sink.write(Stream.fromIterable(syncRows))),
        Effect.provide(syncFileSink(
          `${dir}/job.c1z`,
          { syncId: "2pD4bYQfRSoPzvkLJvyCkZCiSdc" },
          Scope.extend(noFreeDescriptors, outOfFiles),
          (fullText) => Effect.sync(() => fullTexts.push(fullText))
        )),
        Effect.flip
      )
      yield* Scope.close(outOfFiles, Exit.void)
      assert.strictEqual(
        failure.message,
        "could not write the sync output: could not compress the sync database: the process ran out of open files (EMFILE): " +
          "raise its open-file limit (ulimit -n, systemd's LimitNOFILE, the container's nofile ulimit) or lower --concurrency; " +
          "the service's log names the file"
      )
      assert.deepStrictEqual(
        fullTexts.map((text) => /: could not compress the sync database: EMFILE: too many open files, open /.test(text)),
        [true]
      )
      assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
    }).pipe(Effect.provide(NodeContext.layer)))
})
