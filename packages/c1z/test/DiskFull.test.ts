import type { Grant, Resource, SyncRow } from "@baton-fivetran/connector-core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { decompress } from "zstd-napi"
import { writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { fillLeaving, smallDisk, smallDiskSuite, smallDiskUnavailable } from "./SmallDisk.js"
import { listDir, tempDir } from "./TempDir.js"

/**
 * A sync whose disk fills says where the space ran out and about how much it needs there. Before,
 * every case said `<scratch file>: could not <step>: database or disk is full (check the path, free
 * disk space and permissions)`. (A full SQLite temporary directory needs a process whose SQLite
 * has not opened a database yet: apps/http's FullSqliteTempDir.test.ts.)
 */

/** 5,000 users, each a member of the fixture team: a database of a few MiB. */
const users = Array.from({ length: 5000 }, (_, i): Resource => ({ ...F.bob, id: { resourceType: "user", resource: `u${i}` } }))
const rows: ReadonlyArray<SyncRow> = [
  ...F.syncRows,
  ...users.map((value): SyncRow => ({ _tag: "ResourceRow", value })),
  ...users.map((user): SyncRow => ({
    _tag: "GrantRow",
    value: {
      ...F.bobInTeam,
      id: `${F.teamMember.id}:user:${user.id.resource}`,
      principal: { id: user.id, annotations: [] }
    } satisfies Grant
  }))
]
const options = { syncId: "2pD4bYQfRSoPzvkLJvyCkZCiSdc", now: new Date("2026-01-02T03:04:05Z") }

describe.skipIf(smallDiskUnavailable !== undefined)(smallDiskSuite("a sync whose disk fills"), () => {
  it.scopedLive("as its rows are written, says the file's directory filled, how far the database got and what the file there suggests a sync needs", () =>
    Effect.gen(function*() {
      const dir = yield* smallDisk(1024)
      const target = join(dir, "sync.c1z")
      // The file an earlier sync left: 200 KiB, so a sync of its account needs about 18 times that.
      const previous = Buffer.alloc(200 * 1024, 7)
      yield* Effect.promise(() => writeFile(target, previous))
      const error = yield* Effect.flip(writeC1z(target, Stream.fromIterable(rows), options))
      assert.strictEqual(error._tag, "DiskFull")
      assert.strictEqual(
        error.message,
        `${target}: could not write sync rows: no space left in ${dir}, the sync file's directory (SQLITE_FULL): ` +
          "the sync database there had reached 0.7 MiB and was still growing; a sync needs room beside the file for its " +
          "whole database, then about 1/15 of it more for the compressed file; with the sync file there now (0.2 MiB), " +
          `a sync of the same account needs about 3.5 MiB free there: free space in ${dir}, or write the sync file to a disk with more room`
      )
      assert.deepStrictEqual(yield* listDir(dir), ["sync.c1z"])
      assert.isTrue((yield* Effect.promise(() => readFile(target))).equals(previous))
    }))

  it.scopedLive("as the database is compressed, says the file's directory filled, the database's size and about how much more the file needs", () =>
    Effect.gen(function*() {
      // The same sync written where there is room gives its database's size.
      const roomy = join(yield* tempDir, "sync.c1z")
      yield* writeC1z(roomy, Stream.fromIterable(rows), options)
      const databaseBytes = decompress((yield* Effect.promise(() => readFile(roomy))).subarray(5)).length

      const dir = yield* smallDisk(8 * 1024)
      yield* fillLeaving(dir, databaseBytes + 16 * 1024)
      const target = join(dir, "sync.c1z")
      const error = yield* Effect.flip(writeC1z(target, Stream.fromIterable(rows), options))
      assert.strictEqual(error._tag, "DiskFull")
      assert.strictEqual(
        error.message,
        `${target}: could not write the compressed sync database: no space left in ${dir}, the sync file's directory (ENOSPC): ` +
          "the sync database there is 5.9 MiB, and the file compressed from it needs about 0.4 MiB more beside it " +
          `(1/15 of the database) before it replaces the sync file: free space in ${dir}, or write the sync file to a disk with more room`
      )
      assert.deepStrictEqual(yield* listDir(dir), ["filler"])
    }))
})
