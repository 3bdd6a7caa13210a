import { assert, describe, it } from "@effect/vitest"
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire"
import Database from "better-sqlite3"
import { Chunk, Effect, Stream } from "effect"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { compress, decompress } from "zstd-napi"
import { type C1zReader, magic, openC1z, Tables, writeC1z } from "../src/index.js"
import { upgradeOlderSchema } from "../src/OlderSchemas.js"
import { TypeUrls } from "../src/proto/Messages.js"
import { createTables } from "../src/SqliteSchema.js"
import * as F from "./fixtures.js"
import { tempDir } from "./TempDir.js"

/**
 * Files of older baton-sdk versions, made from one this package wrote: its SQLite database is
 * altered to the older schema and compressed again. baton-sdk reads them (adding what is missing
 * when it opens them); so does the reader, without writing to the file.
 */

/** Every annotation written, so that the fixtures read back whole. */
const options = { syncId: "3MtvOlderSchemaSync00000000", now: new Date("2026-11-28T12:00:00.5Z"), ...F.everyAnnotation }

/** A sync of the fixtures at `path`, its database altered by `alter` before it is compressed again. */
const olderFile = (path: string, alter: (db: Database.Database) => void) =>
  Effect.gen(function*() {
    yield* writeC1z(path, Stream.fromIterable(F.syncRows), options)
    yield* Effect.promise(async () => {
      const databasePath = `${path}.db`
      await writeFile(databasePath, decompress((await readFile(path)).subarray(magic.length)))
      const db = new Database(databasePath)
      alter(db)
      db.close()
      await writeFile(path, Buffer.concat([magic, compress(await readFile(databasePath))]))
    })
    return yield* Effect.promise(() => readFile(path))
  })

/**
 * `v1_grants` as baton-sdk wrote it before v0.7.22: no `expansion` or `needs_expansion` column, and
 * an expandable grant's `GrantExpandable` among the annotations (field 4) of its `data`, appended
 * here (a protobuf reader takes fields in any order).
 */
const withoutExpansionColumns = (db: Database.Database) => {
  const expandable = db.prepare("SELECT id, data, expansion FROM v1_grants WHERE expansion IS NOT NULL").all() as ReadonlyArray<
    { id: number; data: Uint8Array; expansion: Uint8Array }
  >
  for (const row of expandable) {
    const any = new BinaryWriter()
      .tag(1, WireType.LengthDelimited).string(TypeUrls.GrantExpandable)
      .tag(2, WireType.LengthDelimited).bytes(row.expansion)
      .finish()
    const annotation = new BinaryWriter().tag(4, WireType.LengthDelimited).bytes(any).finish()
    db.prepare("UPDATE v1_grants SET data = ? WHERE id = ?").run(Buffer.concat([row.data, annotation]), row.id)
  }
  db.exec(`DROP INDEX idx_grants_sync_expansion_v1;
    DROP INDEX idx_grants_sync_needs_expansion_v1;
    ALTER TABLE v1_grants DROP COLUMN expansion;
    ALTER TABLE v1_grants DROP COLUMN needs_expansion`)
}

/** The first `v1_sync_runs`: no sync type, parent, linked sync or diff support. */
const narrowSyncRuns = (db: Database.Database) =>
  db.exec(`ALTER TABLE v1_sync_runs DROP COLUMN sync_type;
    ALTER TABLE v1_sync_runs DROP COLUMN parent_sync_id;
    ALTER TABLE v1_sync_runs DROP COLUMN linked_sync_id;
    ALTER TABLE v1_sync_runs DROP COLUMN supports_diff`)

const values = <A>(stream: Stream.Stream<{ readonly value: A }, unknown>) =>
  Effect.map(Stream.runCollect(stream), (rows) => Chunk.toArray(rows).map((row) => row.value))

/** Everything a reader lists, in row-id order and in id order. */
const everything = (reader: C1zReader) =>
  Effect.all({
    resourceTypes: Effect.map(Stream.runCollect(reader.resourceTypes), Chunk.toArray),
    resources: values(reader.resources()),
    entitlements: values(reader.entitlements()),
    grants: values(reader.grants()),
    sortedGrants: values(reader.sorted.grants()),
    principalGrants: values(reader.sorted.grantsOf(F.bob.id))
  })

const fileColumns = (bytes: Buffer, databasePath: string, table: string) =>
  Effect.promise(async () => {
    await writeFile(databasePath, decompress(bytes.subarray(magic.length)))
    const db = new Database(databasePath, { readonly: true })
    const names = (db.prepare("SELECT name FROM pragma_table_info(?)").all(table) as ReadonlyArray<{ name: string }>)
      .map((row) => row.name)
    db.close()
    return names
  })

describe("files of older baton-sdk versions", () => {
  it.scopedLive("grants without the expansion columns (before v0.7.22) read as the same grants, and the file stays as it was", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const current = join(dir, "current.c1z")
      yield* writeC1z(current, Stream.fromIterable(F.syncRows), options)
      const older = join(dir, "older.c1z")
      const before = yield* olderFile(older, withoutExpansionColumns)

      const read = yield* everything(yield* openC1z(older))
      assert.deepStrictEqual(read.grants, F.grants)
      assert.deepStrictEqual(read, yield* everything(yield* openC1z(current)))
      assert.isTrue((yield* Effect.promise(() => readFile(older))).equals(before))
      assert.deepStrictEqual(yield* fileColumns(before, join(dir, "check.db"), "v1_grants"), [
        "id",
        "resource_type_id",
        "resource_id",
        "entitlement_id",
        "principal_resource_type_id",
        "principal_resource_id",
        "external_id",
        "data",
        "sync_id",
        "discovered_at"
      ])
    }))

  it.scopedLive("sync runs without sync_type read as a full sync", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const older = join(dir, "older.c1z")
      const before = yield* olderFile(older, (db) => {
        narrowSyncRuns(db)
        withoutExpansionColumns(db)
      })
      const reader = yield* openC1z(older)
      assert.deepStrictEqual(reader.syncRun, {
        syncId: options.syncId,
        startedAt: "2026-11-28T12:00:00.500000000Z",
        endedAt: "2026-11-28T12:00:00.500000000Z",
        type: "full"
      })
      assert.deepStrictEqual(yield* values(reader.grants()), F.grants)
      assert.isTrue((yield* Effect.promise(() => readFile(older))).equals(before))
      assert.deepStrictEqual(yield* fileColumns(before, join(dir, "check.db"), "v1_sync_runs"), [
        "id",
        "sync_id",
        "started_at",
        "ended_at",
        "sync_token"
      ])
    }))
})

describe("upgradeOlderSchema", () => {
  it("gives the older tables the format's columns, types and defaults", () => {
    const shape = (
      db: Database.Database,
      table: string
    ) => (db.prepare(`SELECT name, type, "notnull", dflt_value FROM pragma_table_info(?) ORDER BY name`).all(table))
    const current = new Database(":memory:")
    for (const sql of createTables) current.exec(sql)
    const older = new Database(":memory:")
    for (const sql of createTables) older.exec(sql)
    older.exec("DROP TABLE v1_assets; DROP TABLE v1_connector_sessions")
    narrowSyncRuns(older)
    older.exec("ALTER TABLE v1_grants DROP COLUMN expansion; ALTER TABLE v1_grants DROP COLUMN needs_expansion")
    upgradeOlderSchema(older)
    for (const table of Object.values(Tables)) assert.deepStrictEqual(shape(older, table), shape(current, table))
    current.close()
    older.close()
  })
})
