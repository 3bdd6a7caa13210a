import { SyncSummary } from "@baton-fivetran/connector-core"
import { FileSystem, Path } from "@effect/platform"
import { SystemError } from "@effect/platform/Error"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { basename, dirname, resolve } from "node:path"
import { writeSummaryFile } from "../src/output/SummaryFile.js"

/**
 * A full disk cannot be made real in a test without mounting a filesystem: the file system here
 * fails the write as Node's does (ENOSPC) and records what else was asked of it.
 */
describe("--summary-file on a full disk", () => {
  it.live("the error says the sync completed and the .c1z was written, and whether a previous summary is left; the temporary file is removed", () =>
    Effect.gen(function*() {
      const summary = Schema.decodeUnknownSync(SyncSummary)({
        resources: {},
        resourceTypes: 0,
        entitlements: 0,
        grants: { direct: 0, derived: 0 },
        requests: 0,
        retries: 0,
        rateLimitWaitMillis: 0,
        durationMillis: 0,
        warnings: []
      })
      const messages: Array<string> = []
      for (const previous of [true, false]) {
        const removed: Array<string> = []
        const fullDisk = FileSystem.layerNoop({
          writeFileString: (path) =>
            Effect.fail(
              new SystemError({
                reason: "Unknown",
                module: "FileSystem",
                method: "writeFile",
                pathOrDescriptor: path,
                description: "ENOSPC: no space left on device, write"
              })
            ),
          exists: (path) => Effect.succeed(previous && path === "out/summary.json"),
          remove: (path) => Effect.sync(() => void removed.push(path))
        })
        const error = yield* Effect.flip(
          writeSummaryFile("out/summary.json", { file: "out/sync.c1z", syncId: "2Jx1dB3nLkqOQ6cD9fVb0sYt5Ua" }, summary)
        ).pipe(
          Effect.provide(Layer.merge(fullDisk, Path.layer))
        )
        assert.strictEqual(error._tag, "SummaryFileError")
        messages.push(error.message)
        assert.strictEqual(removed.length, 1)
        // Named as the .c1z's scratch files are, with this process's pid (ScratchOwners.ts).
        assert.strictEqual(dirname(removed[0]!), resolve("out"))
        assert.match(basename(removed[0]!), new RegExp(`^\\.summary\\.json\\.${process.pid}\\.[0-9a-f]{12}\\.tmp$`))
      }
      const written = "the sync completed and out/sync.c1z was written, but the summary out/summary.json could not be written: " +
        "ENOSPC: no space left on device, write (check the path, free disk space and permissions; "
      assert.deepStrictEqual(messages, [`${written}it still holds the previous run's summary)`, `${written}there is no summary file)`])
    }))
})
