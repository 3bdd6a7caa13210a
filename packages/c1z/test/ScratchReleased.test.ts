import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope, Stream } from "effect"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { openC1z, scratchReleased, writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { listDir, tempDir } from "./TempDir.js"

/**
 * A process about to end waits for the working copies and scratch files it still has in use to be
 * removed by the scopes that made them, which may close on other fibers (the HTTP service's stop,
 * whose last request removes the copy it read after the connection has ended).
 */
describe("scratchReleased", () => {
  it.scopedLive("names a reader's working copy while it is open, and returns once its scope has removed it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const c1z = join(dir, "sync.c1z")
      yield* writeC1z(c1z, Stream.fromIterable(F.syncRows))
      assert.deepStrictEqual(yield* scratchReleased(0), [])

      const readerScope = yield* Scope.make()
      yield* Scope.extend(openC1z(c1z, { tempDirectory: dir }), readerScope)
      const [copy] = (yield* listDir(dir)).filter((name) => name.startsWith("c1z-"))
      assert.match(copy!, new RegExp(`^c1z-${process.pid}-[0-9A-Za-z]{6}$`))
      assert.deepStrictEqual(yield* scratchReleased(0), [copy])

      // Far longer than the test's timeout: it passes only if the wait ends with the removal.
      const released = yield* Effect.fork(scratchReleased("10 minutes"))
      yield* Scope.close(readerScope, Exit.void)
      assert.deepStrictEqual(yield* Fiber.join(released), [])
      assert.isFalse(existsSync(join(dir, copy!)))
    }))
})
