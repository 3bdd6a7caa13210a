import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { compressDatabase, decompressDatabase, magic } from "../src/Envelope.js"
import { tempDir } from "./TempDir.js"

describe("the .c1z envelope", () => {
  it.scoped("a file of several read chunks, not a whole number of them, comes back byte for byte", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      // Compressible and not: half repeated text, half random, 3.5 MiB in all.
      const original = Buffer.concat([Buffer.alloc(1_835_008, "grant row "), randomBytes(1_835_008)])
      const database = join(dir, "sync.db")
      yield* Effect.promise(() => writeFile(database, original))
      yield* compressDatabase(database, join(dir, "sync.c1z"))
      const file = yield* Effect.promise(() => readFile(join(dir, "sync.c1z")))
      assert.isTrue(file.subarray(0, magic.length).equals(magic))
      yield* decompressDatabase(join(dir, "sync.c1z"), join(dir, "back.db"))
      const back = yield* Effect.promise(() => readFile(join(dir, "back.db")))
      assert.strictEqual(back.length, original.length)
      assert.isTrue(back.equals(original))
    }))

  it.scoped("an existing target is not overwritten", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* Effect.promise(() => writeFile(join(dir, "sync.db"), "x"))
      yield* Effect.promise(() => writeFile(join(dir, "taken.c1z"), "mine"))
      const error = yield* Effect.flip(compressDatabase(join(dir, "sync.db"), join(dir, "taken.c1z")))
      assert.strictEqual(error._tag, "Io")
      assert.strictEqual(yield* Effect.promise(() => readFile(join(dir, "taken.c1z"), "utf8")), "mine")
    }))
})
