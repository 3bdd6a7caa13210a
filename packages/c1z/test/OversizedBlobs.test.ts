import { assert, describe, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Chunk, Effect, Option, Stream } from "effect"
import { openC1z } from "../src/index.js"
import { craftedFixtures } from "./CraftedFile.js"
import * as F from "./fixtures.js"

/**
 * A row's blob over 4 MiB (the gRPC message limit every baton-sdk connector's row passes through):
 * refused, naming the table, the row and the limit, before SQLite hands the blob over; a crafted
 * file with two 400 MB blobs took 1.25 GB before it was refused. One of exactly 4 MiB still reads.
 */

const limit = 4 * 1024 * 1024

/** A good sync file whose first row of `table` `edit` changes; its row id and external id. */
const edited = (name: string, table: string, edit: (db: Database.Database, id: number) => void) =>
  Effect.map(
    craftedFixtures(name, (db) => {
      const row = db.prepare(`SELECT id, external_id FROM ${table} ORDER BY id LIMIT 1`).get() as { id: number; external_id: string }
      edit(db, row.id)
      return row
    }),
    ({ edited: row, path }) => ({ path, rowId: row.id, externalId: row.external_id })
  )

/** `data` grown to `bytes` with an unknown length-delimited field 15 (a 4-byte varint length), which Grant skips. */
const padded = (data: Buffer, bytes: number): Buffer => {
  const padding = bytes - data.length - 1 - 4
  const length = Buffer.from([
    (padding & 0x7f) | 0x80,
    ((padding >> 7) & 0x7f) | 0x80,
    ((padding >> 14) & 0x7f) | 0x80,
    padding >> 21
  ])
  return Buffer.concat([data, Buffer.from([0x7a]), length, Buffer.alloc(padding)])
}

const refusal = (path: string, table: string, rowId: number, externalId: string, column: string, bytes: number) =>
  `${path}: the .c1z is damaged: ${table} row ${rowId} (external id ${JSON.stringify(externalId)}): its ${column} is ` +
  `${bytes} bytes, more than 4194304 bytes (4 MiB), the most the reader takes in a row's blob, as a baton connector's ` +
  "rows reach its sync in gRPC messages of at most 4 MiB (write it again)"

describe("a .c1z row whose blob is over 4 MiB", () => {
  it.scopedLive("a grant's data one byte over is Corrupt in every listing and lookup of it", () =>
    Effect.gen(function*() {
      const { externalId, path, rowId } = yield* edited("over", "v1_grants", (db, id) => {
        db.prepare(`UPDATE v1_grants SET data = zeroblob(${limit + 1}) WHERE id = ?`).run(id)
      })
      const reader = yield* openC1z(path)
      const errors = yield* Effect.forEach(
        [Stream.runDrain(reader.grants()), Stream.runDrain(reader.sorted.grants()), reader.getGrant(externalId)],
        (read) => Effect.flip(read)
      )
      assert.deepStrictEqual(
        errors.map((error) => [error._tag, error.message]),
        Array(3).fill(["Corrupt", refusal(path, "v1_grants", rowId, externalId, "data", limit + 1)])
      )
    }))

  it.scopedLive("a grant's expansion, and a resource's data that is text, over the limit name their column", () =>
    Effect.gen(function*() {
      const expansion = yield* edited("expansion", "v1_grants", (db, id) => {
        db.prepare(`UPDATE v1_grants SET expansion = zeroblob(${limit + 7}) WHERE id = ?`).run(id)
      })
      const text = yield* edited("text", "v1_resources", (db, id) => {
        db.prepare(`UPDATE v1_resources SET data = ? WHERE id = ?`).run("é".repeat(limit / 2 + 1), id)
      })
      const messages = [
        (yield* Effect.flip(Stream.runDrain((yield* openC1z(expansion.path)).grants()))).message,
        (yield* Effect.flip(Stream.runDrain((yield* openC1z(text.path)).resources()))).message
      ]
      assert.deepStrictEqual(messages, [
        refusal(expansion.path, "v1_grants", expansion.rowId, expansion.externalId, "expansion", limit + 7),
        refusal(text.path, "v1_resources", text.rowId, text.externalId, "data", limit + 2)
      ])
    }))

  it.scopedLive("a grant whose data is exactly 4 MiB (an unknown field padding it) reads as before", () =>
    Effect.gen(function*() {
      const { externalId, path } = yield* edited("exact", "v1_grants", (db, id) => {
        const { data } = db.prepare("SELECT data FROM v1_grants WHERE id = ?").get(id) as { data: Buffer }
        db.prepare("UPDATE v1_grants SET data = ? WHERE id = ?").run(padded(data, limit), id)
      })
      const reader = yield* openC1z(path)
      const grants = Chunk.toReadonlyArray(yield* Stream.runCollect(reader.grants()))
      assert.strictEqual(grants.length, F.grants.length)
      assert.deepStrictEqual(Option.map(yield* reader.getGrant(externalId), (grant) => grant.id), Option.some(externalId))
    }))

  it.scopedLive("a page of rows ends once their blobs reach 16 MiB, in row and sorted listings, every row still listed once", () =>
    Effect.gen(function*() {
      // Every grant 3.5 MiB: a page takes 5 (the fifth passes 16 MiB), then the last one.
      const { path } = yield* edited("large-rows", "v1_grants", (db) => {
        const rows = db.prepare("SELECT id, data FROM v1_grants").all() as ReadonlyArray<{ id: number; data: Buffer }>
        for (const row of rows) {
          db.prepare("UPDATE v1_grants SET data = ? WHERE id = ?").run(padded(row.data, 3.5 * 1024 * 1024), row.id)
        }
      })
      const reader = yield* openC1z(path)
      const pages = <A>(listing: Stream.Stream<A, unknown>) =>
        Effect.map(Stream.runCollect(Stream.chunks(listing)), (chunks) => Chunk.toReadonlyArray(chunks).map(Chunk.size))
      assert.deepStrictEqual(
        [yield* pages(reader.grants()), yield* pages(reader.sorted.grants())],
        [[5, 1], [5, 1]]
      )
      const ids = Chunk.toReadonlyArray(yield* Stream.runCollect(reader.sorted.grants())).map((grant) => grant.key)
      assert.deepStrictEqual(ids, F.grants.map((grant) => grant.id).sort())
      assert.deepStrictEqual(
        Chunk.toReadonlyArray(yield* Stream.runCollect(reader.grants({ afterRowId: 0, limit: 6 }))).map((row) => row.value.id),
        F.grants.map((grant) => grant.id)
      )
    }))
})
