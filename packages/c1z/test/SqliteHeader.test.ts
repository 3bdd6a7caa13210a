import { assert, describe, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect, Option } from "effect"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { DatabaseSize, declaredDatabaseSize } from "../src/SqliteHeader.js"
import { sqliteHeaderDeclaring } from "./Bomb.js"
import { tempDir } from "./TempDir.js"

/** `header` with its 2-byte page size field set to `field`. */
const withPageSizeField = (header: Buffer, field: number) => {
  const copy = Buffer.from(header)
  copy.writeUInt16BE(field, 16)
  return copy
}

describe("the size a SQLite header declares", () => {
  it("page size × page count when the counters agree; no size when they differ or the count is 0; none for a page size SQLite never writes", () => {
    const header = sqliteHeaderDeclaring(3 * 65536)
    assert.deepStrictEqual(declaredDatabaseSize(header), Option.some(DatabaseSize.Declared({ pageBytes: 65536, pages: 3 })))
    assert.deepStrictEqual(
      declaredDatabaseSize(withPageSizeField(header, 512)),
      Option.some(DatabaseSize.Declared({ pageBytes: 512, pages: 3 }))
    )
    assert.deepStrictEqual(
      declaredDatabaseSize(withPageSizeField(header, 32768)),
      Option.some(DatabaseSize.Declared({ pageBytes: 32768, pages: 3 }))
    )
    assert.deepStrictEqual(
      declaredDatabaseSize(sqliteHeaderDeclaring(3 * 65536, false)),
      Option.some(DatabaseSize.Undeclared({ pageBytes: 65536 }))
    )
    assert.deepStrictEqual(declaredDatabaseSize(sqliteHeaderDeclaring(0)), Option.some(DatabaseSize.Undeclared({ pageBytes: 65536 })))
    for (const field of [0, 2, 256, 1000, 4097, 65535]) {
      assert.deepStrictEqual(declaredDatabaseSize(withPageSizeField(header, field)), Option.none(), String(field))
    }
  })

  it.scopedLive("SQLite's own files, in rollback and in WAL mode once closed, declare exactly their size", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      for (const [name, pageSize, journal] of [["rollback.db", 65536, "DELETE"], ["wal.db", 4096, "WAL"]] as const) {
        const path = join(dir, name)
        const db = new Database(path)
        db.pragma(`page_size = ${pageSize}`)
        db.pragma(`journal_mode = ${journal}`)
        db.exec("CREATE TABLE t (x BLOB)")
        const insert = db.prepare("INSERT INTO t VALUES (randomblob(3000))")
        for (let i = 0; i < 200; i++) insert.run()
        db.exec("DELETE FROM t WHERE rowid % 2 = 0")
        db.close()
        const file = yield* Effect.promise(() => readFile(path))
        const size = declaredDatabaseSize(file)
        assert.isTrue(Option.isSome(size) && size.value._tag === "Declared", name)
        if (Option.isSome(size) && size.value._tag === "Declared") {
          assert.strictEqual(size.value.pageBytes, pageSize, name)
          assert.strictEqual(size.value.pageBytes * size.value.pages, file.length, name)
        }
      }
    }))
})
