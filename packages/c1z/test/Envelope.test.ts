import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import { statSync } from "node:fs"
import { open, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { compressDatabase, decompressDatabase, magic, sqliteHeader } from "../src/Envelope.js"
import { MiB, watchDecompression, writeZeroBomb } from "./Bomb.js"
import { listDir, tempDir } from "./TempDir.js"

describe("the .c1z envelope", () => {
  it.scoped("a file of several read chunks, not a whole number of them, comes back byte for byte", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      // A SQLite header, then compressible and not: half repeated text, half random, 3.5 MiB in all.
      const original = Buffer.concat([sqliteHeader, Buffer.alloc(1_835_008 - sqliteHeader.length, "grant row "), randomBytes(1_835_008)])
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

  it.scoped("a database of a whole number of MiB, the decompression buffer's size, comes back whole", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      // 16 and 32 of the writer's 64 KiB pages: the last step fills the buffer exactly and ends the frame.
      for (const mib of [1, 2]) {
        const original = Buffer.concat([sqliteHeader, Buffer.alloc(mib * 1024 * 1024 - sqliteHeader.length, "grant row ")])
        const database = join(dir, `${mib}.db`)
        yield* Effect.promise(() => writeFile(database, original))
        yield* compressDatabase(database, join(dir, `${mib}.c1z`))
        yield* decompressDatabase(join(dir, `${mib}.c1z`), join(dir, `${mib}-back.db`))
        assert.isTrue((yield* Effect.promise(() => readFile(join(dir, `${mib}-back.db`)))).equals(original))
      }
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

  it.scoped("decompression is streamed: each step's output is in the file before the next step runs", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const c1z = join(dir, "big.c1z")
      const zeros = 256 * MiB
      yield* writeZeroBomb(c1z, zeros, sqliteHeader)
      // About 8 KB: less than one 64 KiB read of a file stream, which zstd-napi's DecompressStream
      // decompressed whole, all 256 MiB in memory before the first write.
      assert.isBelow((yield* Effect.promise(() => readFile(c1z))).length, 64 * 1024)
      const database = join(dir, "big.db")
      // How far decompression runs ahead of the file, before each step.
      let ahead = 0
      const seen = yield* watchDecompression((producedSoFar) => {
        ahead = Math.max(ahead, producedSoFar - (statSync(database, { throwIfNoEntry: false })?.size ?? 0))
      })
      yield* decompressDatabase(c1z, database)
      assert.strictEqual(seen.produced, sqliteHeader.length + zeros)
      assert.isAtLeast(seen.steps, 256)
      assert.isAtMost(ahead, 4 * MiB)
      const file = yield* Effect.promise(() => open(database, "r"))
      const head = Buffer.alloc(32)
      yield* Effect.promise(() => file.read(head, 0, head.length, 0).finally(() => file.close()))
      assert.isTrue(head.equals(Buffer.concat([sqliteHeader, Buffer.alloc(16)])))
      assert.strictEqual(statSync(database).size, sqliteHeader.length + zeros)
    }))

  it.scoped("a zstd frame that needs a window over 128 MiB is Corrupt and leaves no file behind", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const c1z = join(dir, "wide.c1z")
      // Streamed, so the encoder does not know the size and the frame declares the full 256 MiB window.
      yield* writeZeroBomb(c1z, 4 * MiB, sqliteHeader, { windowLog: 28 })
      const error = yield* Effect.flip(decompressDatabase(c1z, join(dir, "wide.db")))
      assert.strictEqual(error._tag, "Corrupt")
      assert.strictEqual(
        error.message,
        `${c1z}: the .c1z is damaged: the zstd stream cannot be decompressed (Frame requires too much memory for decoding) (write it again)`
      )
      assert.deepStrictEqual(yield* listDir(dir), ["wide.c1z"])
    }))

  it.scoped("a payload that is not a SQLite database is refused after the first step, before anything is written", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const c1z = join(dir, "zeros.c1z")
      yield* writeZeroBomb(c1z, 64 * MiB)
      const seen = yield* watchDecompression()
      const error = yield* Effect.flip(decompressDatabase(c1z, join(dir, "zeros.db")))
      assert.strictEqual(error.message, `${c1z} is not a c1z sync file: its payload is not a SQLite database`)
      assert.strictEqual(seen.steps, 1)
      assert.deepStrictEqual(yield* listDir(dir), ["zeros.c1z"])

      // Too short to hold the header, down to no payload at all.
      const short = join(dir, "short.c1z")
      yield* writeZeroBomb(short, 0, sqliteHeader.subarray(0, 15))
      assert.strictEqual(
        (yield* Effect.flip(decompressDatabase(short, join(dir, "short.db")))).message,
        `${short} is not a c1z sync file: its payload is not a SQLite database`
      )
      const bare = join(dir, "bare.c1z")
      yield* Effect.promise(() => writeFile(bare, magic))
      assert.strictEqual(
        (yield* Effect.flip(decompressDatabase(bare, join(dir, "bare.db")))).message,
        `${bare} is not a c1z sync file: its payload is not a SQLite database`
      )
      assert.deepStrictEqual(yield* listDir(dir), ["bare.c1z", "short.c1z", "zeros.c1z"])
    }))
})
