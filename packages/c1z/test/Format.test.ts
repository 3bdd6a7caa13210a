import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { join } from "node:path"
import { writeC1z } from "../src/index.js"
import * as F from "./fixtures.js"
import { openRaw } from "./RawFile.js"
import { tempDir } from "./TempDir.js"
import { any, message, messages, path, text } from "./WireWalk.js"

/** The checks of docs/c1z-format.md §4, on a file written from the fixture account. */

const writeFixture = Effect.gen(function*() {
  const dir = yield* tempDir
  const c1z = join(dir, "sync.c1z")
  const result = yield* writeC1z(c1z, Stream.fromIterable(F.syncRows))
  const raw = yield* openRaw(c1z, join(dir, "alone.db"))
  return { result, ...raw }
})

const timestampText = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{9}$/

describe("docs/c1z-format.md §4", () => {
  it.scopedLive("starts with the v1 magic C1ZF\\0 and holds a rollback-journal SQLite file that opens alone", () =>
    Effect.gen(function*() {
      const { header, sqlite, db } = yield* writeFixture
      assert.deepStrictEqual([...header], [0x43, 0x31, 0x5a, 0x46, 0x00])
      assert.strictEqual(sqlite.subarray(0, 16).toString("latin1"), "SQLite format 3\0")
      assert.deepStrictEqual([sqlite[18], sqlite[19]], [1, 1])
      assert.strictEqual(db.pragma("integrity_check", { simple: true }), "ok")
      assert.strictEqual(db.pragma("page_size", { simple: true }), 65536)
    }))

  it.scopedLive("has all seven tables and every index with the SDK's names", () =>
    Effect.gen(function*() {
      const { db } = yield* writeFixture
      const names = (type: string) =>
        (db.prepare(`SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name`)
          .all(type) as Array<{ name: string }>).map((row) => row.name)
      assert.deepStrictEqual(names("table"), [
        "v1_assets",
        "v1_connector_sessions",
        "v1_entitlements",
        "v1_grants",
        "v1_resource_types",
        "v1_resources",
        "v1_sync_runs"
      ])
      assert.deepStrictEqual(names("index"), [
        "idx_assets_external_sync_v1",
        "idx_entitlements_external_sync_v1",
        "idx_entitlements_resource_id_v1",
        "idx_grants_entitlement_id_principal_id_v1",
        "idx_grants_external_sync_v1",
        "idx_grants_principal_id_v1",
        "idx_grants_resource_type_id_resource_id_v1",
        "idx_grants_sync_expansion_v1",
        "idx_grants_sync_needs_expansion_v1",
        "idx_resource_types_external_sync_v1",
        "idx_resources_external_sync_v1",
        "idx_resources_parent_resource_id_v1",
        "idx_resources_resource_type_id_v1",
        "idx_session_store_sync_key_v1",
        "idx_sync_runs_sync_id_v1"
      ])
      const columns = (table: string) =>
        (db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).all(table) as Array<{ name: string }>)
          .map((row) => row.name)
      assert.deepStrictEqual(columns("v1_grants"), [
        "id",
        "resource_type_id",
        "resource_id",
        "entitlement_id",
        "principal_resource_type_id",
        "principal_resource_id",
        "external_id",
        "expansion",
        "needs_expansion",
        "data",
        "sync_id",
        "discovered_at"
      ])
      assert.deepStrictEqual(columns("v1_sync_runs"), [
        "id",
        "sync_id",
        "started_at",
        "ended_at",
        "sync_token",
        "sync_type",
        "parent_sync_id",
        "linked_sync_id",
        "supports_diff"
      ])
    }))

  it.scopedLive("records exactly one finished full sync with supports_diff=1, and every row carries its id", () =>
    Effect.gen(function*() {
      const { result, db } = yield* writeFixture
      const runs = db.prepare("SELECT * FROM v1_sync_runs").all() as Array<Record<string, unknown>>
      assert.strictEqual(runs.length, 1)
      const run = runs[0]!
      assert.strictEqual(run.sync_id, result.syncId)
      assert.match(String(run.sync_id), /^[0-9A-Za-z]{27}$/)
      assert.match(String(run.started_at), timestampText)
      assert.match(String(run.ended_at), timestampText)
      assert.isTrue(String(run.ended_at) >= String(run.started_at))
      assert.deepStrictEqual(
        [run.sync_token, run.sync_type, run.parent_sync_id, run.linked_sync_id, run.supports_diff],
        ["", "full", "", "", 1]
      )
      for (const table of ["v1_resource_types", "v1_resources", "v1_entitlements", "v1_grants"]) {
        const rows = db.prepare(`SELECT sync_id, discovered_at FROM ${table}`).all() as Array<
          { sync_id: string; discovered_at: string }
        >
        assert.isAbove(rows.length, 0)
        for (const row of rows) {
          assert.strictEqual(row.sync_id, result.syncId)
          assert.match(row.discovered_at, timestampText)
        }
      }
    }))

  it.scopedLive("every column that repeats a message field agrees with the blob", () =>
    Effect.gen(function*() {
      const { db } = yield* writeFixture
      for (
        const row of db.prepare("SELECT external_id, data FROM v1_resource_types").all() as Array<
          { external_id: string; data: Uint8Array }
        >
      ) {
        assert.strictEqual(row.external_id, text(row.data, 1))
      }

      const resources = db.prepare("SELECT * FROM v1_resources").all() as Array<
        Record<string, string | null> & {
          data: Uint8Array
        }
      >
      assert.strictEqual(resources.length, 6)
      for (const row of resources) {
        const id = message(row.data, 1)!
        const parent = message(row.data, 2)
        assert.strictEqual(row.external_id, `${text(id, 1)}:${text(id, 2)}`)
        assert.strictEqual(row.resource_type_id, text(id, 1))
        assert.strictEqual(row.parent_resource_type_id, parent === undefined ? null : text(parent, 1))
        assert.strictEqual(row.parent_resource_id, parent === undefined ? null : text(parent, 2))
      }
      const child = resources.find((row) => row.external_id === "connection:c_salesforce")!
      assert.deepStrictEqual([child.parent_resource_type_id, child.parent_resource_id], ["group", "g_warehouse"])

      for (
        const row of db.prepare("SELECT * FROM v1_entitlements").all() as Array<
          Record<string, string> & {
            data: Uint8Array
          }
        >
      ) {
        const resourceId = path(row.data, [1, 1])!
        assert.strictEqual(row.external_id, text(row.data, 2))
        assert.strictEqual(row.resource_type_id, text(resourceId, 1))
        assert.strictEqual(row.resource_id, text(resourceId, 2))
      }

      const grants = db.prepare("SELECT * FROM v1_grants ORDER BY id").all() as Array<
        Record<string, string> & { data: Uint8Array; expansion: Uint8Array | null; needs_expansion: number }
      >
      assert.strictEqual(grants.length, 6)
      for (const row of grants) {
        const resourceId = path(row.data, [1, 1, 1])!
        const principalId = path(row.data, [2, 1])!
        assert.strictEqual(row.external_id, text(row.data, 3))
        assert.strictEqual(row.entitlement_id, text(message(row.data, 1)!, 2))
        assert.strictEqual(row.resource_type_id, text(resourceId, 1))
        assert.strictEqual(row.resource_id, text(resourceId, 2))
        assert.strictEqual(row.principal_resource_type_id, text(principalId, 1))
        assert.strictEqual(row.principal_resource_id, text(principalId, 2))
        assert.strictEqual(row.needs_expansion, row.expansion === null ? 0 : 1)
        const typeUrls = messages(row.data, 4).map((a) => any(a).typeUrl)
        assert.notInclude(typeUrls, "type.googleapis.com/c1.connector.v2.GrantExpandable")
      }
      assert.deepStrictEqual(
        grants.filter((row) => row.needs_expansion === 1).map((row) => row.external_id),
        [F.teamManagesWarehouse.id, F.teamReviews.id]
      )
    }))
})
