import { assert, describe, it } from "@effect/vitest"
import { Effect, Ref, Stream } from "effect"
import { spawnSync } from "node:child_process"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { removeScratchLeftovers, writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { pastTheWatch } from "./ScratchWatch.js"
import { lastWrittenAgo, listDir, tempDir } from "./TempDir.js"

/** The pid of a process that has already exited. */
const exitedPid = () => spawnSync(process.execPath, ["-e", "0"]).pid!

describe("removeScratchLeftovers", () => {
  it.scopedLive("removes what exited writers of the target left and keeps a running writer's files", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "sync.c1z")
      const gone = exitedPid()
      // The test runner that started this process: another process, running.
      const running = process.ppid
      const names = [
        "sync.c1z",
        `.sync.c1z.${gone}.0123456789ab.db`,
        `.sync.c1z.${gone}.0123456789ab.db-journal`,
        `.sync.c1z.${running}.ba9876543210.db`,
        ".sync.c1z.cdef01234567.tmp",
        `.other.c1z.${gone}.0123456789ab.db`
      ]
      yield* Effect.promise(() => Promise.all(names.map((name) => writeFile(join(dir, name), ""))))
      const removed = yield* removeScratchLeftovers(target)
      assert.deepStrictEqual([...removed].sort(), [
        join(dir, `.sync.c1z.${gone}.0123456789ab.db`),
        join(dir, `.sync.c1z.${gone}.0123456789ab.db-journal`),
        join(dir, ".sync.c1z.cdef01234567.tmp")
      ])
      assert.deepStrictEqual(yield* listDir(dir), [
        `.other.c1z.${gone}.0123456789ab.db`,
        `.sync.c1z.${running}.ba9876543210.db`,
        "sync.c1z"
      ])
    }))

  it.scoped("removes the files of this process's pid that no write of it is using, and keeps its write in progress", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "sync.c1z")
      // What a run killed earlier left under the same pid (in a container every run is pid 1), unrenewed since.
      const leftovers = [`.sync.c1z.${process.pid}.aaaaaaaaaaaa.db`, `.sync.c1z.${process.pid}.bbbbbbbbbbbb.tmp`]
      yield* Effect.promise(() => Promise.all(leftovers.map((name) => writeFile(join(dir, name), ""))))
      yield* lastWrittenAgo(leftovers.map((name) => join(dir, name)), 10)
      // The rows start with a cleanup, as a second sync of this process would start while this write holds its database.
      const during = yield* Ref.make<{ removed: ReadonlyArray<string>; listed: ReadonlyArray<string> }>({ removed: [], listed: [] })
      const sweep = Effect.gen(function*() {
        const removed = yield* removeScratchLeftovers(target)
        yield* Ref.set(during, { removed, listed: yield* listDir(dir) })
      })
      const result = yield* pastTheWatch(writeC1z(target, Stream.concat(Stream.execute(sweep), Stream.fromIterable(F.syncRows))))
      assert.strictEqual(result.path, target)
      const { listed, removed } = yield* Ref.get(during)
      assert.deepStrictEqual([...removed].sort(), leftovers.map((name) => join(dir, name)))
      assert.strictEqual(listed.length, 1)
      assert.match(listed[0]!, new RegExp(`^\\.sync\\.c1z\\.${process.pid}\\.[0-9a-f]{12}\\.db$`))
      assert.deepStrictEqual(yield* listDir(dir), ["sync.c1z"])
    }))
})
