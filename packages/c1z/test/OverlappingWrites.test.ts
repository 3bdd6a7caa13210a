import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option, Stream } from "effect"
import { stat } from "node:fs/promises"
import { join } from "node:path"
import { writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { listDir, tempDir } from "./TempDir.js"

/**
 * Two writes into one path at once (two syncs of a CronJob that outlasts its schedule): each is
 * complete and the path holds the one renamed last. The write renamed last now says that it
 * replaced a file another writer put there after it began (nothing said so before: the overlap was
 * silent); a write that found the path as it was at its start says nothing.
 */
describe("writes into one path that overlap", () => {
  it.scoped("the one renamed last says when the file it replaced was written; the other, and a lone write, say nothing", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const target = join(dir, "sync.c1z")
      const lone = yield* writeC1z(target, Stream.fromIterable(F.syncRows))
      assert.deepStrictEqual(lone.replacedMeanwhile, Option.none())

      const started = yield* Deferred.make<void>()
      const resume = yield* Deferred.make<void>()
      const held = Stream.concat(
        Stream.execute(Effect.zipRight(Deferred.succeed(started, undefined), Deferred.await(resume))),
        Stream.fromIterable(F.syncRows)
      )
      const first = yield* Effect.fork(writeC1z(target, held, { syncId: "first" }))
      yield* Deferred.await(started)
      const second = yield* writeC1z(target, Stream.fromIterable(F.syncRows), { syncId: "second" })
      assert.deepStrictEqual(second.replacedMeanwhile, Option.none())
      const secondWrittenAt = new Date((yield* Effect.promise(() => stat(target))).mtimeMs)

      yield* Deferred.succeed(resume, undefined)
      const last = yield* Fiber.join(first)
      // Before: no such field; nothing told the first write that the second had come and gone.
      assert.deepStrictEqual(last.replacedMeanwhile, Option.some(secondWrittenAt))
      assert.strictEqual(last.syncId, "first")
      assert.deepStrictEqual(yield* listDir(dir), ["sync.c1z"])
    }))
})
