import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { join } from "node:path"
import { checkMagic, openC1z } from "../src/index.js"
import { listDir, tempDir, tmpdirAt } from "./TempDir.js"

/**
 * A path naming a named pipe or a device: the reader opened it without looking at what it opened,
 * so a pipe swapped in after a caller's check made the open wait for a writer for ever. The open now
 * refuses it on its own descriptor, at once (the bound only turns the old hang into a failure).
 */
describe("a path naming no regular file", () => {
  it.scopedLive("a named pipe and a character device are NotAC1z at once, naming what they are, no working copy made", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const fifo = join(dir, "sync.c1z")
      execFileSync("mkfifo", [fifo])
      const tmp = join(dir, "tmp")
      yield* tmpdirAt(tmp)
      const errors = yield* Effect.forEach(
        [openC1z(fifo), checkMagic(fifo), openC1z("/dev/null")],
        // Disconnected: an open stuck in the thread pool cannot be interrupted, so the bound would wait for it.
        (open) => Effect.disconnect(Effect.flip(Effect.scoped(open))).pipe(Effect.timeout("10 seconds"))
      )
      assert.deepStrictEqual(errors.map((error) => [error._tag, error.message]), [
        ["NotAC1z", `${fifo} is a named pipe (FIFO), not a .c1z sync file`],
        ["NotAC1z", `${fifo} is a named pipe (FIFO), not a .c1z sync file`],
        ["NotAC1z", "/dev/null is a character device, not a .c1z sync file"]
      ])
      assert.deepStrictEqual(yield* listDir(tmp), [])
    }))
})
