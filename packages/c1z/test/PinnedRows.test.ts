import type { SyncRow } from "@baton-fivetran/connector-core"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { createHash } from "node:crypto"
import { join } from "node:path"
import { Tables, writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { openRaw } from "./RawFile.js"
import { tempDir } from "./TempDir.js"

/**
 * The writer's output, pinned: a fixed set of rows (every kind of object, a repeated resource and
 * grant) written with a fixed sync id and time must give exactly these rows, every column of every
 * table, and this schema (tables and indexes, in creation order). The digests were taken from the
 * writer before its load and index steps were tuned for speed, so any tuning that changes a single
 * byte of a row, a row id or the schema fails here.
 */

const rows: ReadonlyArray<SyncRow> = [
  ...F.syncRows,
  { _tag: "ResourceRow", value: { ...F.alice, displayName: "Alice Renamed" } },
  { _tag: "GrantRow", value: { ...F.bobInTeam, annotations: [{ _tag: "GrantImmutable", sourceId: "scim" }] } },
  { _tag: "GrantRow", value: F.aliceIsAdmin }
]

const sha256 = (value: unknown) =>
  createHash("sha256").update(JSON.stringify(value, (_, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v)))
    .digest("hex")

const emptyTable = sha256([])

describe("the rows the writer writes", () => {
  it.scopedLive("are exactly the pinned rows and schema", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const c1z = join(dir, "sync.c1z")
      yield* writeC1z(c1z, Stream.fromIterable(rows), {
        syncId: "2PinnedRowsSyncId0000000000",
        now: new Date("2026-01-02T03:04:05.678Z"),
        batchSize: 4,
        ...F.everyAnnotation
      })
      const { db } = yield* openRaw(c1z, join(dir, "alone.db"))
      const tables = Object.fromEntries(
        Object.values(Tables).map((table) => {
          const all = db.prepare(`SELECT * FROM ${table} ORDER BY id`).all()
          return [table, { rows: all.length, sha256: sha256(all) }]
        })
      )
      const schema = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").all()
      assert.deepStrictEqual({ ...tables, schema: sha256(schema) }, {
        v1_resource_types: { rows: 5, sha256: "5f6da92d321a58fffcc6dac945b24600cf3d14adcfd05622313314cd3679695d" },
        v1_resources: { rows: 6, sha256: "93e7745c2bbc76bc46dbb6c26d4e3259bde46fc25eb0ae0c405db94b7bd0113e" },
        v1_entitlements: { rows: 4, sha256: "dd783c5ed9869ebe68edc82b38370f6bf0931f772e88e07942fd9e4caa2cdc63" },
        v1_sync_runs: { rows: 1, sha256: "579a9116575f440b818a77b6b357b41e81524a1f29e9bde95abfcc47075f7e7b" },
        v1_grants: { rows: 6, sha256: "9244515d0fca6d261e18725537b4de0c734b3dd9c430624d803f282ece1cfd30" },
        v1_assets: { rows: 0, sha256: emptyTable },
        v1_connector_sessions: { rows: 0, sha256: emptyTable },
        schema: "aba1c19779eed54d9f57b885c189f0ebeeeab4cc1191dc5a95d4b1060067d0cd"
      })
    }))
})
