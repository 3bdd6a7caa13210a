import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { mkdir, readdir, stat } from "node:fs/promises"
import { join } from "node:path"
import { openC1z, writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { tempDir } from "./TempDir.js"

/** The common umask (group and others lose write) until the scope closes: the modes below must not come from it. */
const umask022 = Effect.acquireRelease(Effect.sync(() => process.umask(0o022)), (saved) => Effect.sync(() => process.umask(saved)))

const modeOf = (path: string) => Effect.promise(() => stat(path).then((info) => info.mode & 0o777))

describe("file modes", () => {
  it.scopedLive("the .c1z, the writer's scratch database and the reader's working copy are owner-only", () =>
    Effect.gen(function*() {
      yield* umask022
      const dir = yield* tempDir
      const target = join(dir, "sync.c1z")
      // The scratch database's mode, seen once every row has been handed to the writer.
      const scratchModes: Array<number> = []
      const seeScratch = Effect.gen(function*() {
        const names = yield* Effect.promise(() => readdir(dir))
        for (const name of names.filter((name) => name.endsWith(".db"))) scratchModes.push(yield* modeOf(join(dir, name)))
      })
      yield* writeC1z(target, Stream.concat(Stream.fromIterable(F.syncRows), Stream.drain(Stream.fromEffect(seeScratch))))
      assert.deepStrictEqual(scratchModes, [0o600])
      assert.strictEqual(yield* modeOf(target), 0o600)

      const copies = join(dir, "copies")
      yield* Effect.promise(() => mkdir(copies))
      const reader = yield* openC1z(target, { tempDirectory: copies })
      assert.strictEqual(reader.syncRun.type, "full")
      const [copy] = yield* Effect.promise(() => readdir(copies))
      assert.strictEqual(yield* modeOf(join(copies, copy!)), 0o700)
      assert.strictEqual(yield* modeOf(join(copies, copy!, "db")), 0o600)
    }))
})
