import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import { statSync } from "node:fs"
import { type FileHandle, open, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { compressDatabase, decompressDatabase, magic, sqliteHeader } from "../src/Envelope.js"
import { MiB, sqliteHeaderDeclaring, watchDecompression, writeZeroBomb } from "./Bomb.js"
import { listDir, tempDir } from "./TempDir.js"

describe("the .c1z envelope", () => {
  it.scopedLive("a file of several read chunks, not a whole number of them, comes back byte for byte", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      // A SQLite header declaring 3.5 MiB, then compressible and not: half repeated text, half random, 3.5 MiB in all.
      const header = sqliteHeaderDeclaring(3_670_016)
      const original = Buffer.concat([header, Buffer.alloc(1_835_008 - header.length, "grant row "), randomBytes(1_835_008)])
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

  it.scopedLive("a database of a whole number of MiB, the decompression buffer's size, comes back whole", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      // 16 and 32 of the writer's 64 KiB pages: the last step fills the buffer exactly and ends the frame.
      for (const mib of [1, 2]) {
        const header = sqliteHeaderDeclaring(mib * MiB)
        const original = Buffer.concat([header, Buffer.alloc(mib * MiB - header.length, "grant row ")])
        const database = join(dir, `${mib}.db`)
        yield* Effect.promise(() => writeFile(database, original))
        yield* compressDatabase(database, join(dir, `${mib}.c1z`))
        yield* decompressDatabase(join(dir, `${mib}.c1z`), join(dir, `${mib}-back.db`))
        assert.isTrue((yield* Effect.promise(() => readFile(join(dir, `${mib}-back.db`)))).equals(original))
      }
    }))

  it.scopedLive("an existing target is not overwritten", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* Effect.promise(() => writeFile(join(dir, "sync.db"), "x"))
      yield* Effect.promise(() => writeFile(join(dir, "taken.c1z"), "mine"))
      const error = yield* Effect.flip(compressDatabase(join(dir, "sync.db"), join(dir, "taken.c1z")))
      assert.strictEqual(error._tag, "Io")
      assert.strictEqual(yield* Effect.promise(() => readFile(join(dir, "taken.c1z"), "utf8")), "mine")
    }))

  it.scopedLive("decompression is streamed: each step's output is in the file before the next step runs", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const c1z = join(dir, "big.c1z")
      const zeros = 256 * MiB
      const header = sqliteHeaderDeclaring(100 + zeros)
      yield* writeZeroBomb(c1z, zeros, header)
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
      assert.strictEqual(seen.produced, header.length + zeros)
      assert.isAtLeast(seen.steps, 256)
      assert.isAtMost(ahead, 4 * MiB)
      const file = yield* Effect.promise(() => open(database, "r"))
      const head = Buffer.alloc(32)
      yield* Effect.promise(() => file.read(head, 0, head.length, 0).finally(() => file.close()))
      assert.isTrue(head.equals(header.subarray(0, 32)))
      assert.strictEqual(statSync(database).size, header.length + zeros)
    }))

  it.scopedLive("a zstd frame that needs a window over 128 MiB is Corrupt and leaves no file behind", () =>
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

  it.scopedLive("a payload that is not a SQLite database is refused after the first step, before anything is written", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const c1z = join(dir, "zeros.c1z")
      yield* writeZeroBomb(c1z, 64 * MiB)
      const seen = yield* watchDecompression()
      const error = yield* Effect.flip(decompressDatabase(c1z, join(dir, "zeros.db")))
      assert.strictEqual(error.message, `${c1z} is not a c1z sync file: its payload is not a SQLite database`)
      assert.strictEqual(seen.steps, 1)
      assert.deepStrictEqual(yield* listDir(dir), ["zeros.c1z"])

      // Too short to hold the header; no payload at all is said as such.
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
        `${bare} is not a c1z sync file: it is the 5-byte header "C1ZF\\0" with nothing after it (a sync file's header is followed by its zstd-compressed database)`
      )
      assert.deepStrictEqual(yield* listDir(dir), ["bare.c1z", "short.c1z", "zeros.c1z"])
    }))

  it.scopedLive("a database that decompresses past the size its SQLite header declares is OversizedDatabase; nothing past it is written, no file is left", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const c1z = join(dir, "bomb.c1z")
      // 2 MiB declared (32 pages of 64 KiB), 8 MiB given.
      yield* writeZeroBomb(c1z, 8 * MiB, sqliteHeaderDeclaring(2 * MiB))
      const database = join(dir, "bomb.db")
      let largest = 0
      const seen = yield* watchDecompression(() => {
        largest = Math.max(largest, statSync(database, { throwIfNoEntry: false })?.size ?? 0)
      })
      const error = yield* Effect.flip(decompressDatabase(c1z, database))
      assert.strictEqual(error._tag, "OversizedDatabase")
      assert.strictEqual(
        error.message,
        `${c1z}: the .c1z is damaged or not a sync file: its database decompresses to more than the 2097152 bytes its ` +
          "SQLite header declares (32 pages of 65536 bytes); stopped at 3145728 bytes"
      )
      // Each step gives 1 MiB: the third would pass the limit, and is not written.
      assert.strictEqual(seen.steps, 3)
      assert.strictEqual(largest, 2 * MiB)
      assert.deepStrictEqual(yield* listDir(dir), ["bomb.c1z"])
    }))

  it.scopedLive("a database of exactly its declared size, or one whose header declares none, decompresses whole", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const exact = join(dir, "exact.c1z")
      yield* writeZeroBomb(exact, 2 * MiB - 100, sqliteHeaderDeclaring(2 * MiB))
      yield* decompressDatabase(exact, join(dir, "exact.db"))
      assert.strictEqual(statSync(join(dir, "exact.db")).size, 2 * MiB)

      // As SQLite before 3.7.0 left it: the page count (here of 1 page) is not to be trusted.
      const older = join(dir, "older.c1z")
      yield* writeZeroBomb(older, 4 * MiB, sqliteHeaderDeclaring(65536, false))
      yield* decompressDatabase(older, join(dir, "older.db"))
      assert.strictEqual(statSync(join(dir, "older.db")).size, 100 + 4 * MiB)
    }))

  it.scopedLive(
    "a header that declares no size stops the database at 3 GiB, the limit of baton's own reader",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const c1z = join(dir, "older-bomb.c1z")
        const cap = 3 * 1024 * MiB
        yield* writeZeroBomb(c1z, cap, sqliteHeaderDeclaring(65536, false))
        // Counted, not written: 3 GiB on this disk would test the disk.
        const written = yield* discardWrites
        const error = yield* Effect.flip(decompressDatabase(c1z, join(dir, "older-bomb.db")))
        assert.strictEqual(error._tag, "OversizedDatabase")
        assert.strictEqual(
          error.message,
          `${c1z}: the .c1z is damaged or not a sync file: its database decompresses to more than 3221225472 bytes, ` +
            "the most a database whose SQLite header does not declare its size may hold; stopped at 3221225572 bytes"
        )
        // Steps of 1 MiB reach 3 GiB exactly, which passes; the last, of the 100 bytes beyond, is not written.
        assert.strictEqual(written.bytes, cap)
        assert.deepStrictEqual(yield* listDir(dir), ["older-bomb.c1z"])
      }),
    { timeout: 300_000 }
  )

  it.scopedLive("a header that declares more than 3 GiB is refused at the header, before anything is written", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      // The most pages a header can declare (2^32 - 1 of 64 KiB: 256 TiB), then 64 MiB of zeros: all of
      // them reached the disk, as would 4 GiB, before SQLite said "database disk image is malformed".
      const crafted = join(dir, "crafted.c1z")
      yield* writeZeroBomb(crafted, 64 * MiB, sqliteHeaderDeclaring(0xffffffff * 65536))
      // One page over 3 GiB is over; 3 GiB itself is a size a sync file may have.
      const justOver = join(dir, "just-over.c1z")
      yield* writeZeroBomb(justOver, MiB, sqliteHeaderDeclaring(3 * 1024 * MiB + 65536))
      const written = yield* discardWrites
      const seen = yield* watchDecompression()
      const errors = yield* Effect.forEach(
        [crafted, justOver],
        (c1z) => Effect.flip(decompressDatabase(c1z, join(dir, "copy.db")))
      )
      assert.deepStrictEqual(errors.map((error) => [error._tag, error.message]), [
        [
          "OversizedDatabase",
          `${crafted}: the .c1z is damaged or not a sync file: its SQLite header declares a database of 281474976645120 bytes ` +
          "(4294967295 pages of 65536 bytes), more than 3221225472 bytes, the most a sync file may hold (baton's own reader's limit); " +
          "refused before any of it was written"
        ],
        [
          "OversizedDatabase",
          `${justOver}: the .c1z is damaged or not a sync file: its SQLite header declares a database of 3221291008 bytes ` +
          "(49153 pages of 65536 bytes), more than 3221225472 bytes, the most a sync file may hold (baton's own reader's limit); " +
          "refused before any of it was written"
        ]
      ])
      assert.strictEqual(seen.steps, 2)
      assert.strictEqual(written.bytes, 0)
      assert.deepStrictEqual(yield* listDir(dir), ["crafted.c1z", "just-over.c1z"])
    }))
})

/** Makes every `FileHandle.write` in this process count its bytes as written without writing them, until the scope closes. */
const discardWrites = Effect.acquireRelease(
  Effect.promise(async () => {
    const handle = await open(fileURLToPath(import.meta.url), "r")
    const prototype: FileHandle = Object.getPrototypeOf(handle)
    await handle.close()
    const original = prototype.write
    const counted = { bytes: 0 }
    const write = async function(this: FileHandle, buffer: Uint8Array, offset?: number, length?: number) {
      const bytesWritten = length ?? buffer.length - (offset ?? 0)
      counted.bytes += bytesWritten
      return { bytesWritten, buffer }
    }
    prototype.write = write as FileHandle["write"]
    return { prototype, original, counted }
  }),
  ({ original, prototype }) => Effect.sync(() => void (prototype.write = original))
).pipe(Effect.map(({ counted }) => counted))
