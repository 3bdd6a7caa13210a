import { assert, describe, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect, Stream } from "effect"
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { compress } from "zstd-napi"
import { magic, openC1z, writeC1z } from "../src/index.js"
import { createTables } from "../src/SqliteSchema.js"
import * as F from "./fixtures.js"
import { tempDir } from "./TempDir.js"

const writeBytes = (path: string, bytes: Uint8Array) => Effect.promise(() => writeFile(path, bytes))

describe("openC1z errors", () => {
  it.scoped("rejects a file without the v1 magic, including the v3 format", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const plain = join(dir, "plain.c1z")
      yield* writeBytes(plain, Buffer.from("SQLite format 3\0"))
      const error = yield* Effect.flip(openC1z(plain))
      assert.strictEqual(error._tag, "NotAC1z")
      assert.strictEqual(error.message, `${plain}: not a .c1z file (bad magic; expected the v1 header "C1ZF\\0")`)

      const v3 = join(dir, "v3.c1z")
      yield* writeBytes(v3, Buffer.from("C1Z3\0rest"))
      assert.strictEqual((yield* Effect.flip(openC1z(v3)))._tag, "NotAC1z")

      const empty = join(dir, "empty.c1z")
      yield* writeBytes(empty, new Uint8Array(0))
      assert.strictEqual((yield* Effect.flip(openC1z(empty)))._tag, "NotAC1z")
    }))

  it.scoped("reports a missing file as Io", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const error = yield* Effect.flip(openC1z(join(dir, "nope.c1z")))
      assert.strictEqual(error._tag, "Io")
      assert.include(error.message, "could not open the .c1z: ENOENT")
    }))

  it.scoped("reports a damaged or truncated zstd stream as Corrupt", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const garbage = join(dir, "garbage.c1z")
      yield* writeBytes(garbage, Buffer.concat([magic, Buffer.from("definitely not zstd")]))
      assert.strictEqual((yield* Effect.flip(openC1z(garbage)))._tag, "Corrupt")

      const good = join(dir, "good.c1z")
      yield* writeC1z(good, Stream.fromIterable(F.syncRows))
      const bytes = yield* Effect.promise(() => readFile(good))
      const truncated = join(dir, "truncated.c1z")
      yield* writeBytes(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)))
      const error = yield* Effect.flip(openC1z(truncated))
      assert.strictEqual(error._tag, "Corrupt")
      assert.include(error.message, `${truncated}: the .c1z is damaged`)
    }))

  it.scoped("fails with NoFinishedSync when the only sync never ended", () =>
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

  it.scoped("removes its temporary database when the scope closes", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const scratch = join(dir, "tmp")
      const c1z = join(dir, "sync.c1z")
      yield* writeC1z(c1z, Stream.fromIterable(F.syncRows))
      const savedTmp = process.env.TMPDIR
      yield* Effect.acquireRelease(
        Effect.promise(async () => {
          await mkdir(scratch)
          process.env.TMPDIR = scratch // os.tmpdir() reads it on every call
        }),
        () => Effect.sync(() => savedTmp === undefined ? delete process.env.TMPDIR : (process.env.TMPDIR = savedTmp))
      )
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
})
