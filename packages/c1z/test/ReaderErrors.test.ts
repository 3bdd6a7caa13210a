import { assert, describe, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Chunk, Deferred, Effect, Exit, Fiber, Stream } from "effect"
import { type FileHandle, mkdir, open, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { compress } from "zstd-napi"
import { magic, openC1z, writeC1z } from "../src/index.js"
import { createTables } from "../src/SqliteSchema.js"
import { MiB, sqliteHeaderDeclaring, watchDecompression, writeZeroBomb } from "./Bomb.js"
import * as F from "./fixtures.js"
import { lastWrittenAgo, tempDir, tmpdirAt } from "./TempDir.js"

const writeBytes = (path: string, bytes: Uint8Array) => Effect.promise(() => writeFile(path, bytes))

/** A sync file in a fresh directory, with the process's temporary directory moved beside it: what a reader leaves there shows. */
const syncFileAndScratch = Effect.gen(function*() {
  const dir = yield* tempDir
  const scratch = join(dir, "tmp")
  const c1z = join(dir, "sync.c1z")
  yield* writeC1z(c1z, Stream.fromIterable(F.syncRows))
  yield* tmpdirAt(scratch)
  return { c1z, scratch }
})

describe("openC1z errors", () => {
  it.scopedLive("rejects a file without the v1 magic", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const plain = join(dir, "plain.c1z")
      yield* writeBytes(plain, Buffer.from("SQLite format 3\0"))
      const error = yield* Effect.flip(openC1z(plain))
      assert.strictEqual(error._tag, "NotAC1z")
      assert.strictEqual(error.message, `${plain}: not a .c1z file (bad magic; expected the v1 header "C1ZF\\0")`)

      const empty = join(dir, "empty.c1z")
      yield* writeBytes(empty, new Uint8Array(0))
      assert.strictEqual((yield* Effect.flip(openC1z(empty)))._tag, "NotAC1z")
    }))

  it.scopedLive("says a v3 file (C1Z3) is a .c1z it does not read, and how to get one it reads", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const v3 = join(dir, "v3.c1z")
      yield* writeBytes(v3, Buffer.from("C1Z3\0rest"))
      const error = yield* Effect.flip(openC1z(v3))
      assert.strictEqual(error._tag, "UnsupportedVersion")
      assert.strictEqual(
        error.message,
        `${v3} is a v3 .c1z (header "C1Z3", baton-sdk's Pebble storage), which this tool does not read: it reads v1 files (header "C1ZF"). Sync again into a v1 file: baton-sdk connectors write one with --storage-engine sqlite, this connector always does`
      )
    }))

  it.scopedLive("reports a missing file as Io", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const error = yield* Effect.flip(openC1z(join(dir, "nope.c1z")))
      assert.strictEqual(error._tag, "Io")
      assert.include(error.message, "could not open the .c1z: ENOENT")
    }))

  it.scopedLive("a header with nothing after it, or with what is not zstd, zstd of what is not SQLite, or SQLite without baton's tables, is NotAC1z saying which", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const headerOnly = join(dir, "header.c1z")
      yield* writeBytes(headerOnly, magic)
      const garbage = join(dir, "garbage.c1z")
      yield* writeBytes(garbage, Buffer.concat([magic, Buffer.from("definitely not zstd")]))
      const short = join(dir, "short.c1z")
      yield* writeBytes(short, Buffer.concat([magic, Buffer.from([0x28, 0xb5])]))
      const text = join(dir, "text.c1z")
      yield* writeBytes(text, Buffer.concat([magic, compress(Buffer.from("hello, not a database\n"))]))
      const otherDb = join(dir, "other.db")
      const db = new Database(otherDb)
      db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
      db.close()
      const foreign = join(dir, "foreign.c1z")
      yield* writeBytes(foreign, Buffer.concat([magic, compress(yield* Effect.promise(() => readFile(otherDb)))]))
      const errors = yield* Effect.forEach([headerOnly, garbage, short, text, foreign], (path) => Effect.flip(openC1z(path)))
      assert.deepStrictEqual(errors.map((error) => [error._tag, error.message]), [
        [
          "NotAC1z",
          `${headerOnly} is not a c1z sync file: it is the 5-byte header "C1ZF\\0" with nothing after it (a sync file's header is followed by its zstd-compressed database)`
        ],
        ["NotAC1z", `${garbage} is not a c1z sync file: what follows its header "C1ZF\\0" is not zstd-compressed data`],
        ["NotAC1z", `${short} is not a c1z sync file: what follows its header "C1ZF\\0" is not zstd-compressed data`],
        ["NotAC1z", `${text} is not a c1z sync file: its payload is not a SQLite database`],
        [
          "NotAC1z",
          `${foreign} is not a c1z sync file: its database is SQLite but has none of baton's tables (v1_resources, v1_grants, v1_sync_runs, ...)`
        ]
      ])
    }))

  it.scopedLive("reports a damaged or truncated zstd stream as Corrupt", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const good = join(dir, "good.c1z")
      yield* writeC1z(good, Stream.fromIterable(F.syncRows))
      const bytes = yield* Effect.promise(() => readFile(good))
      const truncated = join(dir, "truncated.c1z")
      yield* writeBytes(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)))
      const error = yield* Effect.flip(openC1z(truncated))
      assert.strictEqual(error._tag, "Corrupt")
      assert.include(error.message, `${truncated}: the .c1z is damaged`)
    }))

  it.scopedLive("fails with NoFinishedSync when the only sync never ended", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const dbPath = join(dir, "unfinished.db")
      const db = new Database(dbPath)
      for (const sql of createTables) db.exec(sql)
      db.exec(`INSERT INTO v1_sync_runs (sync_id, started_at, sync_token) VALUES ('abc', '2026-01-01 00:00:00', '')`)
      db.close()
      const c1z = join(dir, "unfinished.c1z")
      yield* writeBytes(c1z, Buffer.concat([magic, compress(yield* Effect.promise(() => readFile(dbPath)))]))
      const error = yield* Effect.flip(openC1z(c1z))
      assert.strictEqual(error._tag, "NoFinishedSync")
      assert.strictEqual(error.message, `${c1z}: the .c1z holds no finished full sync (was the sync interrupted? run it again)`)
    }))

  it.scopedLive("removes its temporary database when the scope closes", () =>
    Effect.gen(function*() {
      const { c1z, scratch } = yield* syncFileAndScratch
      const inside = yield* Effect.scoped(
        Effect.gen(function*() {
          const reader = yield* openC1z(c1z)
          assert.strictEqual(reader.syncRun.type, "full")
          return yield* Effect.promise(() => readdir(scratch))
        })
      )
      assert.strictEqual(inside.length, 1)
      assert.deepStrictEqual(yield* Effect.promise(() => readdir(scratch)), [])
    }))

  // Live: a directory's age is read against the real clock.
  it.scopedLive("an open removes the temporary databases of readers whose process is gone, and keeps a running one's", () =>
    Effect.gen(function*() {
      const { c1z, scratch } = yield* syncFileAndScratch
      // What SIGKILLed readers left (a pid no process has; a name from before pids, untouched for
      // two days), one of another running process (the test runner that started this one), and one
      // from before pids made just now: an older build's reader may have it open.
      const dead = join(scratch, "c1z-4194999-aB3dE9")
      const unnamed = join(scratch, "c1z-Zq81xP")
      const alive = join(scratch, `c1z-${process.ppid}-Kk2w0Q`)
      const unnamedRecent = join(scratch, "c1z-Rc04tY")
      const unrelated = join(scratch, "c1z-test-abcdef")
      yield* makeDirectories([dead, unnamed, alive, unnamedRecent, unrelated])
      const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000)
      yield* Effect.promise(() => utimes(unnamed, twoDaysAgo, twoDaysAgo))
      const inside = yield* Effect.scoped(
        Effect.gen(function*() {
          yield* openC1z(c1z)
          return yield* Effect.promise(() => readdir(scratch))
        })
      )
      // While open: its own directory, the live one and the unrelated one.
      assert.deepStrictEqual(inside.filter((name) => !name.startsWith(`c1z-${process.pid}-`)).sort(), [
        `c1z-${process.ppid}-Kk2w0Q`,
        "c1z-Rc04tY",
        "c1z-test-abcdef"
      ])
      assert.strictEqual(inside.filter((name) => name.startsWith(`c1z-${process.pid}-`)).length, 1)
      assert.deepStrictEqual((yield* Effect.promise(() => readdir(scratch))).sort(), [
        `c1z-${process.ppid}-Kk2w0Q`,
        "c1z-Rc04tY",
        "c1z-test-abcdef"
      ])
    }))

  // Live: a directory's age is read against the real clock.
  it.scopedLive("without a usable temporary directory, the working copy goes beside the .c1z, whose leftovers without a pid are kept", () =>
    Effect.gen(function*() {
      const { c1z, scratch } = yield* syncFileAndScratch
      // TMPDIR names a directory that is gone (as root, a missing one stands for a read-only /tmp).
      yield* Effect.promise(() => rm(scratch, { recursive: true }))
      const beside = dirname(c1z)
      const dead = join(beside, "c1z-4194999-aB3dE9")
      const users = join(beside, "c1z-backup")
      yield* makeDirectories([dead, users])
      const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000)
      yield* Effect.promise(() => utimes(users, twoDaysAgo, twoDaysAgo))
      const inside = yield* Effect.scoped(
        Effect.gen(function*() {
          const reader = yield* openC1z(c1z)
          assert.strictEqual(Chunk.size(yield* Stream.runCollect(reader.grants())), F.grants.length)
          return yield* Effect.promise(() => readdir(beside))
        })
      )
      assert.deepStrictEqual(inside.filter((name) => !name.startsWith(`c1z-${process.pid}-`)).sort(), ["c1z-backup", "sync.c1z"])
      assert.strictEqual(inside.filter((name) => name.startsWith(`c1z-${process.pid}-`)).length, 1)
      assert.deepStrictEqual((yield* Effect.promise(() => readdir(beside))).sort(), ["c1z-backup", "sync.c1z"])
    }))

  it.scopedLive("an open removes the temporary databases of this process's pid that no reader of it has open, and keeps an open one's", () =>
    Effect.gen(function*() {
      const { c1z, scratch } = yield* syncFileAndScratch
      // Open first: the HTTP service keeps its latest sync open while it opens others.
      const first = yield* openC1z(c1z)
      const [held] = yield* Effect.promise(() => readdir(scratch))
      // What a reader killed earlier left under the same pid (in a container every run is pid 1), unrenewed since.
      const leftover = `c1z-${process.pid}-Left01`
      yield* makeDirectories([join(scratch, leftover)])
      yield* lastWrittenAgo([join(scratch, leftover)], 10)
      const inside = yield* Effect.scoped(
        Effect.gen(function*() {
          yield* openC1z(c1z)
          return yield* Effect.promise(() => readdir(scratch))
        })
      )
      assert.strictEqual(inside.length, 2)
      assert.isTrue(inside.includes(held!))
      assert.isFalse(inside.includes(leftover))
      assert.deepStrictEqual(yield* Effect.promise(() => readdir(scratch)), [held])
      // The first reader still reads from its directory.
      assert.strictEqual(first.syncRun.type, "full")
      assert.strictEqual(Chunk.size(yield* Stream.runCollect(first.grants())), F.grants.length)
    }))

  it.scopedLive("refuses a 512 MiB decompression bomb of zeros after its first MiB, and removes its temporary directory at once", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const bomb = join(dir, "bomb.c1z")
      yield* writeZeroBomb(bomb, 512 * MiB)
      const scratch = join(dir, "tmp")
      yield* tmpdirAt(scratch)
      const seen = yield* watchDecompression()
      // Within this test's scope: a failed open does not wait for its caller's scope to clean up.
      const error = yield* Effect.flip(openC1z(bomb))
      assert.strictEqual(error._tag, "NotAC1z")
      assert.strictEqual(error.message, `${bomb} is not a c1z sync file: its payload is not a SQLite database`)
      assert.isAtMost(seen.produced, MiB)
      assert.deepStrictEqual(yield* Effect.promise(() => readdir(scratch)), [])
    }))

  it.scopedLive("a bomb behind a SQLite header is refused at the size the header declares, or at once when the header is not one SQLite writes; no working copy is left", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const scratch = join(dir, "tmp")
      yield* tmpdirAt(scratch)
      // 1 MiB declared (16 pages of 64 KiB), 16 MiB given.
      const declared = join(dir, "declared.c1z")
      yield* writeZeroBomb(declared, 16 * MiB, sqliteHeaderDeclaring(MiB))
      const oversized = yield* Effect.flip(openC1z(declared))
      assert.strictEqual(oversized._tag, "OversizedDatabase")
      assert.strictEqual(
        oversized.message,
        `${declared}: the .c1z is damaged or not a sync file: its database decompresses to more than the 1048576 bytes its ` +
          "SQLite header declares (16 pages of 65536 bytes); stopped at 2097152 bytes"
      )
      assert.deepStrictEqual(yield* Effect.promise(() => readdir(scratch)), [])

      // The reported bomb: the header's 16 bytes, then zeros (a page size of 0).
      const zeros = join(dir, "zeros.c1z")
      yield* writeZeroBomb(zeros, 64 * MiB, Buffer.from("SQLite format 3\0", "latin1"))
      const seen = yield* watchDecompression()
      const notSqlite = yield* Effect.flip(openC1z(zeros))
      assert.strictEqual(notSqlite.message, `${zeros} is not a c1z sync file: its payload is not a SQLite database`)
      assert.strictEqual(seen.steps, 1)
      assert.deepStrictEqual(yield* Effect.promise(() => readdir(scratch)), [])
    }))

  it.scopedLive("reports a full temporary directory (ENOSPC) as WorkingCopyFailed naming it, and leaves nothing in it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const big = join(dir, "big.c1z")
      yield* writeZeroBomb(big, 64 * MiB, sqliteHeaderDeclaring(100 + 64 * MiB))
      const scratch = join(dir, "tmp")
      yield* tmpdirAt(scratch)
      let written = 0
      yield* diskFullAfter(8 * MiB, (bytes) => void (written += bytes))
      const error = yield* Effect.flip(openC1z(big))
      assert.strictEqual(error._tag, "WorkingCopyFailed")
      assert.match(
        error.message,
        new RegExp(
          `^${big}: could not decompress the \\.c1z in ${scratch}/c1z-[\\w-]+: ENOSPC: no space left on device, write ` +
            "\\(the reader copies the decompressed sync there: check that the directory exists, is writable and has free space\\)$"
        )
      )
      assert.strictEqual(written, 8 * MiB)
      assert.deepStrictEqual(yield* Effect.promise(() => readdir(scratch)), [])
    }))

  it.scopedLive("with tempDirectory, the working copy is made there, not in TMPDIR; one that cannot be made is WorkingCopyFailed", () =>
    Effect.gen(function*() {
      const { c1z, scratch } = yield* syncFileAndScratch
      const chosen = join(scratch, "..", "chosen")
      yield* Effect.promise(() => mkdir(chosen))
      const inside = yield* Effect.scoped(
        Effect.gen(function*() {
          const reader = yield* openC1z(c1z, { tempDirectory: chosen })
          assert.strictEqual(reader.syncRun.type, "full")
          return [yield* Effect.promise(() => readdir(chosen)), yield* Effect.promise(() => readdir(scratch))]
        })
      )
      assert.strictEqual(inside[0]!.length, 1)
      assert.match(inside[0]![0]!, new RegExp(`^c1z-${process.pid}-\\w{6}$`))
      assert.deepStrictEqual(inside[1], [])
      assert.deepStrictEqual(yield* Effect.promise(() => readdir(chosen)), [])

      const missing = join(chosen, "missing")
      const error = yield* Effect.flip(openC1z(c1z, { tempDirectory: missing }))
      assert.strictEqual(error._tag, "WorkingCopyFailed")
      assert.strictEqual(error._tag === "WorkingCopyFailed" ? error.code : undefined, "ENOENT")
      assert.match(
        error.message,
        new RegExp(
          `^${c1z}: could not create the working copy's directory in ${missing}: ENOENT: no such file or directory, mkdir '${missing}/c1z-[\\w-]+' ` +
            "\\(the reader copies the decompressed sync there: check that the directory exists, is writable and has free space\\)$"
        )
      )
    }))

  it.scopedLive("an open interrupted while it decompresses removes its temporary files at once", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const big = join(dir, "big.c1z")
      const zeros = 1024 * MiB
      yield* writeZeroBomb(big, zeros, sqliteHeaderDeclaring(100 + zeros))
      const scratch = join(dir, "tmp")
      yield* tmpdirAt(scratch)
      const underway = yield* Deferred.make<void>()
      const seen = yield* watchDecompression((producedSoFar) => {
        if (producedSoFar >= 8 * MiB) Deferred.unsafeDone(underway, Exit.void)
      })
      const fiber = yield* Effect.fork(openC1z(big))
      yield* Deferred.await(underway)
      assert.strictEqual((yield* Effect.promise(() => readdir(scratch))).length, 1)
      yield* Fiber.interrupt(fiber)
      assert.isTrue(Exit.isInterrupted(yield* Fiber.await(fiber)))
      assert.isBelow(seen.produced, zeros)
      assert.deepStrictEqual(yield* Effect.promise(() => readdir(scratch)), [])
    }))
})

/** Directories as killed readers leave them: each with its database file. */
const makeDirectories = (paths: ReadonlyArray<string>) =>
  Effect.promise(() => Promise.all(paths.map((path) => mkdir(path).then(() => writeFile(join(path, "db"), "left")))))

/**
 * Makes every `FileHandle.write` in this process fail as a full disk does once `bytes` have been
 * written, until the scope closes; `onWrite` sees each write's size.
 */
const diskFullAfter = (bytes: number, onWrite: (bytes: number) => void) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const handle = await open(fileURLToPath(import.meta.url), "r")
      const prototype: FileHandle = Object.getPrototypeOf(handle)
      await handle.close()
      const original = prototype.write
      const writeBytes = original as (
        this: FileHandle,
        buffer: Uint8Array,
        offset?: number,
        length?: number
      ) => ReturnType<FileHandle["write"]>
      let left = bytes
      const write = async function(this: FileHandle, buffer: Uint8Array, offset?: number, length?: number) {
        const size = Math.min(length ?? buffer.length - (offset ?? 0), left)
        if (size === 0) {
          throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", errno: -28, syscall: "write" })
        }
        left -= size
        onWrite(size)
        return writeBytes.call(this, buffer, offset, size)
      }
      prototype.write = write as FileHandle["write"]
      return { prototype, original }
    }),
    ({ original, prototype }) => Effect.sync(() => void (prototype.write = original))
  )
