import { SyncSink } from "@baton-fivetran/connector-core"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { smallDiskAt, smallDiskSuite, smallDiskUnavailable } from "../../../packages/c1z/test/SmallDisk.js"
import { spillingRows } from "../../../packages/c1z/test/SpillingRows.js"
import { syncFileSink } from "../src/SyncFileSink.js"

/**
 * A sync job whose index build fills SQLite's temporary directory while the data directory has
 * room. Its `error` said `could not index the sync rows: the disk is full (SQLITE_FULL)`, and the
 * log named the scratch database in the data directory: the wrong disk. SQLite reads SQLITE_TMPDIR
 * once, at the process's first open: set here before any, in this file's own worker (it is not
 * one of vitest.config.ts's shared-module files), and the small disk is mounted on it in the test.
 */
const sqliteTmpdir = join(tmpdir(), `sqlite-tmpdir-${process.pid}`)
process.env.SQLITE_TMPDIR = sqliteTmpdir

describe.skipIf(smallDiskUnavailable !== undefined)(smallDiskSuite("a sync job whose SQLite temporary directory fills"), () => {
  it.scopedLive("fails saying SQLite's temporary directory filled, how much the sort needs and which variable moves it, without paths", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      // SQLite looks for the directory at each temporary file it opens: made now, it is used.
      yield* Effect.acquireRelease(fs.makeDirectory(sqliteTmpdir), () => Effect.orDie(fs.remove(sqliteTmpdir, { recursive: true })))
      yield* smallDiskAt(sqliteTmpdir, 2048)
      const dataDir = yield* fs.makeTempDirectoryScoped()
      const fullTexts: Array<string> = []
      const failure = yield* SyncSink.pipe(
        Effect.flatMap((sink) => sink.write(Stream.fromIterable(spillingRows()))),
        Effect.provide(
          syncFileSink(
            `${dataDir}/job.c1z`,
            { syncId: "2pD4bYQfRSoPzvkLJvyCkZCiSdc" },
            Effect.void,
            (fullText) => Effect.sync(() => fullTexts.push(fullText))
          )
        ),
        Effect.flip
      )
      const shortage = "indexing this sync sorts its keys in a temporary file there, about 4.2 MiB (1/25 of the sync database, " +
        "104.2 MiB so far); SQLite takes the first writable of SQLITE_TMPDIR, TMPDIR, /var/tmp, /tmp"
      assert.strictEqual(
        failure.message,
        `could not write the sync output: could not index the sync rows: SQLite's temporary directory is full (SQLITE_FULL): ${shortage}: ` +
          "set the service's SQLITE_TMPDIR (or TMPDIR) to a directory with that much room; the service's log names the directory"
      )
      assert.deepStrictEqual(fullTexts, [
        `${dataDir}/job.c1z: could not index the sync rows: no space left in ${sqliteTmpdir}, SQLite's temporary directory ` +
        `(SQLITE_FULL): ${shortage}: set SQLITE_TMPDIR (or TMPDIR) to a directory with that much room, or free space in ${sqliteTmpdir}`
      ])
      assert.deepStrictEqual(yield* fs.readDirectory(dataDir), [])
      assert.deepStrictEqual(yield* fs.readDirectory(sqliteTmpdir), [])
    }).pipe(Effect.provide(NodeContext.layer)))
})
