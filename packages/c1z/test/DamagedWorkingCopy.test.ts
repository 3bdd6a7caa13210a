import type { Grant, Resource, SyncRow } from "@baton-fivetran/connector-core"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { mkdir, readdir, truncate } from "node:fs/promises"
import { join } from "node:path"
import { openC1z, writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { tempDir } from "./TempDir.js"

/**
 * A reader's working copy cut short under it (a tmp cleaner, a failing disk) after the open had
 * decompressed and checked the file: the read that finds it says so, naming the copy and its
 * directory, and not that the .c1z is damaged, which it is not.
 */

/** 5,000 users, each a member of the fixture team: more pages than SQLite keeps cached from the open. */
const users = Array.from({ length: 5000 }, (_, i): Resource => ({ ...F.bob, id: { resourceType: "user", resource: `u${i}` } }))
const memberships = users.map((user): Grant => ({
  ...F.bobInTeam,
  id: `${F.teamMember.id}:user:${user.id.resource}`,
  principal: { id: user.id, annotations: [] }
}))
const rows: ReadonlyArray<SyncRow> = [
  ...F.syncRows,
  ...users.map((value): SyncRow => ({ _tag: "ResourceRow", value })),
  ...memberships.map((value): SyncRow => ({ _tag: "GrantRow", value }))
]

describe("a working copy damaged under an open reader", () => {
  it.scopedLive("a read after the copy is cut is WorkingCopyDamaged naming the copy; a fresh open reads the file whole", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const c1z = join(dir, "sync.c1z")
      yield* writeC1z(c1z, Stream.fromIterable(rows))
      const copies = join(dir, "copies")
      yield* Effect.promise(() => mkdir(copies))
      const cut = yield* Effect.scoped(Effect.gen(function*() {
        const reader = yield* openC1z(c1z, { tempDirectory: copies })
        const [copy] = yield* Effect.promise(() => readdir(copies))
        const database = join(copies, copy!, "db")
        yield* Effect.promise(() => truncate(database, 4096))
        return { database, error: yield* Effect.flip(Stream.runCollect(reader.grants())) }
      }))
      assert.strictEqual(cut.error._tag, "WorkingCopyDamaged")
      assert.strictEqual(
        cut.error.message,
        `${cut.database}: the working copy of ${c1z} was damaged while it was read (database disk image is malformed); ` +
          `the .c1z itself was checked when it was opened and is not the cause: check the disk of ${copies} ` +
          "and any tmp cleaner that removes or cuts files there, then read it again"
      )
      const whole = yield* Effect.scoped(
        Effect.flatMap(openC1z(c1z, { tempDirectory: copies }), (reader) => Stream.runCollect(reader.grants()))
      )
      assert.strictEqual(Chunk.size(whole), F.grants.length + memberships.length)
    }))
})
