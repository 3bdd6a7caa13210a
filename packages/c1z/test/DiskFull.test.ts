import type { Grant, Resource, SyncRow } from "@baton-fivetran/connector-core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { spawnSync } from "node:child_process"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { decompress } from "zstd-napi"
import { writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { fillLeaving, smallDisk, smallDiskSuite, smallDiskUnavailable } from "./SmallDisk.js"
import { listDir, tempDir } from "./TempDir.js"

/**
 * A sync whose disk fills says where the space ran out and about how much it needs there. Before,
 * every case said `<scratch file>: could not <step>: database or disk is full (check the path, free
 * disk space and permissions)`, naming the scratch database beside the file also when the disk that
 * filled was SQLite's temporary directory.
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

/**
 * Writes 100,000 users with 120-character ids, and their memberships, into `target` in a process
 * of its own, whose SQLite takes `sqliteTmpdir` for its temporary files: SQLite reads SQLITE_TMPDIR
 * once, at its first open, which this test process made long ago. Indexing that many keys passes
 * SQLite's 16 MiB in-memory sort and spills to a temporary file. Prints the failure's message.
 */
const writeInOwnProcess = (target: string, sqliteTmpdir: string): string => {
  const script = `
    import { writeC1z } from "./dist/index.js"
    import { Effect, Stream } from "effect"
    const user = { id: "user", displayName: "User", traits: ["USER"], annotations: [] }
    const team = { id: { resourceType: "team", resource: "t1" }, displayName: "T", annotations: [] }
    const member = { id: "team:t1:member", resource: team, displayName: "member", grantableTo: [user], purpose: "ASSIGNMENT", slug: "member", annotations: [] }
    function* rows() {
      yield { _tag: "ResourceTypeRow", value: user }
      yield { _tag: "ResourceTypeRow", value: { id: "team", displayName: "Team", traits: ["GROUP"], annotations: [] } }
      yield { _tag: "ResourceRow", value: team }
      yield { _tag: "EntitlementRow", value: member }
      for (let i = 0; i < 100000; i++) {
        const id = { resourceType: "user", resource: "u".repeat(120) + i }
        yield { _tag: "ResourceRow", value: { id, displayName: "U", annotations: [] } }
        yield { _tag: "GrantRow", value: { id: "team:t1:member:user:" + id.resource, entitlement: member, principal: { id, annotations: [] }, annotations: [] } }
      }
    }
    const options = { syncId: "${options.syncId}", now: new Date("${options.now.toISOString()}") }
    const written = writeC1z(process.argv[1], Stream.fromIterable(rows()), options)
    await Effect.runPromise(Effect.flip(written)).then((error) => process.stdout.write(error.message))
  `
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script, target], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    env: { ...process.env, SQLITE_TMPDIR: sqliteTmpdir },
    encoding: "utf8"
  })
  assert.strictEqual(child.stderr, "")
  return child.stdout
}

describe.skipIf(smallDiskUnavailable !== undefined)(smallDiskSuite("a sync whose disk fills"), () => {
  it.scoped("as its rows are written, says the file's directory filled, how far the database got and what the file there suggests a sync needs", () =>
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

  it.scoped("as the database is compressed, says the file's directory filled, the database's size and about how much more the file needs", () =>
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

  it.scoped("as a large sync is indexed, says SQLite's temporary directory filled, not the file's, how much the sort needs and what chooses it", () =>
    Effect.gen(function*() {
      const sqliteTmpdir = yield* smallDisk(2048)
      const dir = yield* tempDir
      const target = join(dir, "sync.c1z")
      assert.strictEqual(
        writeInOwnProcess(target, sqliteTmpdir),
        `${target}: could not index the sync rows: no space left in ${sqliteTmpdir}, SQLite's temporary directory (SQLITE_FULL): ` +
          "indexing this sync sorts its keys in a temporary file there, about 4.2 MiB (1/25 of the sync database, 104.2 MiB so far); " +
          "SQLite takes the first writable of SQLITE_TMPDIR, TMPDIR, /var/tmp, /tmp: set SQLITE_TMPDIR (or TMPDIR) to a directory " +
          `with that much room, or free space in ${sqliteTmpdir}`
      )
      assert.deepStrictEqual(yield* listDir(dir), [])
      assert.deepStrictEqual(yield* listDir(sqliteTmpdir), [])
    }))
})
