import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { spawnSync } from "node:child_process"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { removeScratchLeftovers, writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { listDir, tempDir } from "./TempDir.js"

/** The pid of a process that has already exited. */
const exitedPid = () => spawnSync(process.execPath, ["-e", "0"]).pid!

describe("removeScratchLeftovers", () => {
  it.scoped("removes what exited writers of the target left and keeps a running writer's files", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "sync.c1z")
      const gone = exitedPid()
      const names = [
        "sync.c1z",
        `.sync.c1z.${gone}.0123456789ab.db`,
        `.sync.c1z.${gone}.0123456789ab.db-journal`,
        `.sync.c1z.${process.pid}.ba9876543210.db`,
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
        `.sync.c1z.${process.pid}.ba9876543210.db`,
        "sync.c1z"
      ])
    }))

  it.scoped("a write in progress keeps its scratch database while another run cleans up before its own", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "sync.c1z")
      // The rows start with a cleanup, as a second run would start while this write holds its database.
      const rows = Stream.concat(
        Stream.execute(removeScratchLeftovers(target)),
        Stream.fromIterable(F.syncRows)
      )
      const result = yield* writeC1z(target, rows)
      assert.strictEqual(result.path, target)
      assert.deepStrictEqual(yield* listDir(dir), ["sync.c1z"])
    }))
})
