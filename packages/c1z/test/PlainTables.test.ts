import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { openC1z, writeC1z } from "../src/index.js"
import { crafted } from "./CraftedFile.js"
import * as F from "./fixtures.js"
import { tempDir, tmpdirAt } from "./TempDir.js"

/**
 * A crafted sync file whose tables of baton's names are not plain tables: a view, a virtual table,
 * a generated column. SQLite computes those rows when they are selected, so the reader ran the
 * file's own query: a recursive view never ended (apps/cli's hostile-schema test runs that one).
 */

/** A one-row view of the sync run, with every column the reader selects. */
const syncRunsView = (name: string) => (syncId: string) =>
  `DROP TABLE v1_sync_runs; CREATE VIEW ${name} AS SELECT 1 AS id, '${syncId}' AS sync_id,
   '2026-01-01 00:00:00' AS started_at, '2026-01-01 00:00:01' AS ended_at, '' AS sync_token, 'full' AS sync_type,
   '' AS parent_sync_id, '' AS linked_sync_id, 1 AS supports_diff`

describe("a sync file whose tables are not plain tables", () => {
  it.scopedLive("a view, a virtual table or a generated column of baton's names is Corrupt saying which, and no working copy is left", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* writeC1z(join(dir, "good.c1z"), Stream.fromIterable(F.syncRows))
      const scratch = join(dir, "tmp")
      yield* tmpdirAt(scratch)
      const cases = [
        ["view", syncRunsView("v1_sync_runs"), "v1_sync_runs is a view, not a table"],
        ["upper-case-view", syncRunsView("V1_SYNC_RUNS"), "V1_SYNC_RUNS is a view, not a table"],
        [
          "resource-types-view",
          () => "ALTER TABLE v1_resource_types RENAME TO stored; CREATE VIEW v1_resource_types AS SELECT * FROM stored",
          "v1_resource_types is a view, not a table"
        ],
        [
          "virtual",
          () => "DROP TABLE v1_assets; CREATE VIRTUAL TABLE v1_assets USING fts5(external_id, content_type, data, sync_id, discovered_at)",
          "v1_assets is a virtual table, not a table"
        ],
        [
          "generated",
          () =>
            `ALTER TABLE v1_resources RENAME TO stored;
             CREATE TABLE v1_resources (id INTEGER PRIMARY KEY, resource_type_id TEXT NOT NULL, external_id TEXT NOT NULL,
               parent_resource_type_id TEXT, parent_resource_id TEXT, sync_id TEXT NOT NULL, discovered_at DATETIME NOT NULL,
               data BLOB GENERATED ALWAYS AS (zeroblob(100000000)) VIRTUAL);
             INSERT INTO v1_resources SELECT id, resource_type_id, external_id, parent_resource_type_id, parent_resource_id,
               sync_id, discovered_at FROM stored;
             DROP TABLE stored`,
          "v1_resources's column data is generated, not stored"
        ]
      ] as const
      for (const [name, sql, reason] of cases) {
        const path = yield* crafted(dir, name, sql)
        const error = yield* Effect.flip(Effect.scoped(openC1z(path)))
        assert.deepStrictEqual([error._tag, error.message], [
          "Corrupt",
          `${path}: the .c1z is damaged: ${reason}: baton writes its rows in plain tables, and the reader runs no query a file brings (write it again)`
        ])
        assert.deepStrictEqual(yield* Effect.promise(() => readdir(scratch)), [])
      }
    }))

  it.scopedLive("indexes, triggers and other tables beside baton's plain tables do not stop a read", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* writeC1z(join(dir, "good.c1z"), Stream.fromIterable(F.syncRows))
      const path = yield* crafted(
        dir,
        "extras",
        () =>
          `CREATE TABLE notes (body TEXT); CREATE VIEW note_view AS SELECT * FROM notes;
           CREATE TRIGGER noted AFTER INSERT ON v1_resources BEGIN INSERT INTO notes VALUES ('x'); END`
      )
      const reader = yield* openC1z(path)
      assert.strictEqual(
        yield* Stream.runCount(reader.resources()),
        F.syncRows.filter((row) => row._tag === "ResourceRow").length
      )
    }))
})
