import { compareKeys, type Resource, type SyncRow } from "@baton-fivetran/connector-core"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { join } from "node:path"
import { diffReaders, openC1z, writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { tempDir } from "./TempDir.js"

/**
 * Id-ordered listings across page boundaries (1,000 rows a page), with ids whose UTF-16 order
 * differs from SQLite's, and the diff that merge-joins two of them.
 */

/** Ids mixing ASCII, U+FF21 (after the surrogates in UTF-16, before them in UTF-8) and an emoji. */
const idOf = (i: number) => ["u", "\uFF21", "\u{1F600}"][i % 3]! + String(i).padStart(5, "0")

const user = (id: string): Resource => ({ id: { resourceType: "user", resource: id }, displayName: id, annotations: [] })

const rows = (ids: ReadonlyArray<string>): ReadonlyArray<SyncRow> => [
  { _tag: "ResourceTypeRow", value: F.userType },
  { _tag: "ResourceTypeRow", value: F.teamType },
  ...ids.map((id): SyncRow => ({ _tag: "ResourceRow", value: user(id) })),
  { _tag: "ResourceRow", value: { id: { resourceType: "team", resource: "t1" }, displayName: "T", annotations: [] } }
]

const keys = <A>(stream: Stream.Stream<{ readonly key: A }, unknown>) =>
  Effect.map(Stream.runCollect(stream), (chunk) => Chunk.toReadonlyArray(chunk).map((row) => row.key))

describe("sorted listings", () => {
  it.scoped("list resources in code point order of their ids, over several pages, one type or all", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const ids = Array.from({ length: 2500 }, (_, i) => idOf(i))
      yield* writeC1z(join(dir, "a.c1z"), Stream.fromIterable(rows(ids)))
      const reader = yield* openC1z(join(dir, "a.c1z"))
      const expectedUsers = ids.map((id) => `user:${id}`).sort(compareKeys)
      assert.deepStrictEqual(yield* keys(reader.sorted.resources({ resourceType: "user" })), expectedUsers)
      assert.deepStrictEqual(yield* keys(reader.sorted.resources({ resourceType: "team" })), ["team:t1"])
      assert.deepStrictEqual(yield* keys(reader.sorted.resources()), ["team:t1", ...expectedUsers])
      assert.deepStrictEqual(
        yield* keys(reader.sorted.resources({ resourceType: "user", after: expectedUsers[1499] })),
        expectedUsers.slice(1500)
      )
    }))

  it.scoped("the diff of two syncs names exactly the resources only one of them has, in id order", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const all = Array.from({ length: 2600 }, (_, i) => idOf(i))
      const base = all.filter((_, i) => i % 7 !== 0 && i < 2500)
      const target = all.filter((_, i) => i % 11 !== 0)
      yield* writeC1z(join(dir, "base.c1z"), Stream.fromIterable(rows(base)))
      yield* writeC1z(join(dir, "target.c1z"), Stream.fromIterable(rows(target)))
      const diff = yield* Stream.runCollect(
        diffReaders(yield* openC1z(join(dir, "base.c1z")), yield* openC1z(join(dir, "target.c1z")))
      )
      const removed = base.filter((id) => !target.includes(id))
      const added = target.filter((id) => !base.includes(id))
      const expected = [
        ...removed.map((id) => ({ change: "removed", id: `user:${id}` })),
        ...added.map((id) => ({ change: "added", id: `user:${id}` }))
      ].sort((a, b) => compareKeys(a.id, b.id))
      assert.deepStrictEqual(
        Chunk.toReadonlyArray(diff).map((entry) => ({ change: entry.change, id: entry.id })),
        expected
      )
      assert.isTrue(expected.length > 500)
    }))
})
