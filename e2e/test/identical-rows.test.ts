import { C1zSink, Tables } from "@baton-fivetran/c1z"
import { SyncEngine } from "@baton-fivetran/connector-core"
import { FivetranClient, FivetranClientConfig } from "@baton-fivetran/fivetran-client"
import { type AccountSnapshot, generatePreset, readSnapshot, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect, Layer, Redacted } from "effect"
import { createHash } from "node:crypto"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { decompress } from "zstd-napi"

/**
 * The sync's output pinned row by row. The digests below were taken from the .c1z files written by
 * the sync before its membership decoding was narrowed (main at 4282010: full User objects decoded
 * for every row of each group's user list, then filtered): each is the SHA-256 of every row of the
 * table in file order, every column byte for byte except the per-run sync_id and discovered_at.
 * A changed row, a missing or extra row, or a reordering changes the digest.
 */
const expected: Record<string, Record<string, { readonly rows: number; readonly sha256: string }>> = {
  "medium preset (seed 1), connections on": {
    v1_resource_types: { rows: 5, sha256: "b6e464e53bbe5d4cf9c6038b4d9f0a2bf3208c4764cfc645fb1fcecc4e0b0523" },
    v1_resources: { rows: 1357, sha256: "783a4cd05d3ef9a870d522a2663d256e7627396a2738fe06df568b5a3cf1f62b" },
    v1_entitlements: { rows: 2727, sha256: "69a7447a18a086f3c82bf294574191d72b395fbdda997ca0d4cb15d69e11633a" },
    v1_grants: { rows: 8816, sha256: "7bdcb2872c8cf4e2bf89932f60100945d64e3d28d4450a3c77bff3a7b39c2279" }
  },
  "edge-case fixture, connections on": {
    v1_resource_types: { rows: 5, sha256: "b6e464e53bbe5d4cf9c6038b4d9f0a2bf3208c4764cfc645fb1fcecc4e0b0523" },
    v1_resources: { rows: 18, sha256: "96918365eeb6dd76ea356980baae8d30d1e28320b818fa40365024e6f5736327" },
    v1_entitlements: { rows: 21, sha256: "250213235d068308174851e494d7c1371746388225ddf3fa7e83f23bc06089b9" },
    v1_grants: { rows: 29, sha256: "7c21ecf2381f6a74ce4fc70182ba9ca4ef372abac7bebc4731b9f0420affc222" }
  }
}

const perRunColumns = new Set(["sync_id", "discovered_at"])

/** Row count and digest of each loaded table, read from the SQLite file inside the .c1z without the package's reader. */
const tableDigests = (c1zPath: string) =>
  Effect.acquireUseRelease(
    Effect.promise(async () => {
      const databasePath = `${c1zPath}.db`
      await writeFile(databasePath, decompress((await readFile(c1zPath)).subarray(5)))
      return new Database(databasePath, { readonly: true })
    }),
    (db) =>
      Effect.sync(() =>
        Object.fromEntries(
          [Tables.resourceTypes, Tables.resources, Tables.entitlements, Tables.grants].map((table) => {
            const hash = createHash("sha256")
            let rows = 0
            for (const row of db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).iterate() as Iterable<Record<string, unknown>>) {
              rows++
              for (const [column, value] of Object.entries(row)) {
                if (perRunColumns.has(column)) continue
                hash.update(`${column}=`)
                hash.update(value instanceof Uint8Array ? value : JSON.stringify(value))
                hash.update("\u0000")
              }
              hash.update("\u0001")
            }
            return [table, { rows, sha256: hash.digest("hex") }]
          })
        )
      ),
    (db) => Effect.sync(() => db.close())
  )

const syncedDigests = (snapshot: AccountSnapshot, concurrency: number) =>
  Effect.gen(function*() {
    const dir = yield* Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "e2e-identical-"))),
      (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
    )
    const path = join(dir, "sync.c1z")
    const sandbox = yield* Sandbox
    const key = snapshot.credentials[0]!
    const client = FivetranClient.layer(FivetranClientConfig.make({
      apiKey: Redacted.make(key.key),
      apiSecret: Redacted.make(key.secret),
      baseUrl: sandbox.baseUrl
    })).pipe(Layer.provide(NodeHttpClient.layerUndici))
    yield* Effect.flatMap(SyncEngine, (engine) => engine.run({ syncConnections: true, concurrency })).pipe(
      Effect.provide(Layer.mergeAll(SyncEngine.layer.pipe(Layer.provide(client)), C1zSink.layer(path)))
    )
    return yield* tableDigests(path)
  }).pipe(Effect.provide(Sandbox.layer({ snapshot, port: 0 })))

const accounts: Record<string, Effect.Effect<AccountSnapshot, unknown, never>> = {
  "medium preset (seed 1), connections on": Effect.sync(() => generatePreset("medium", 1)),
  "edge-case fixture, connections on": readSnapshot(join(import.meta.dirname, "fixtures", "edge-cases.json")).pipe(
    Effect.provide(NodeContext.layer)
  )
}

describe("the sync writes the same rows as before its decoding was narrowed", () => {
  for (const [name, account] of Object.entries(accounts)) {
    it.scoped(`${name}: every row of every table`, () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* syncedDigests(yield* account, 8), expected[name])
      }), 120_000)
  }
})
