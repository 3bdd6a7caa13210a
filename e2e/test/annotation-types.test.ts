import { batonSdkV0_7_27TypeUrls, C1zSink } from "@baton-fivetran/c1z"
import { SyncEngine } from "@baton-fivetran/connector-core"
import { FivetranClient, FivetranClientConfig } from "@baton-fivetran/fivetran-client"
import { generatePreset, type PresetName, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { findAnys, stringField } from "./support/AnyWalk.js"
import { openRawC1z } from "./support/RawC1z.js"

const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "e2e-annotations-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

const ExclusionGroup = "type.googleapis.com/c1.connector.v2.EntitlementExclusionGroup"

/** Syncs a preset with the real client into a .c1z and returns the raw rows of every blob table. */
const syncedRows = (preset: PresetName, syncConnections: boolean, exclusionGroups: boolean) =>
  Effect.gen(function*() {
    const path = join(yield* tempDir, "sync.c1z")
    yield* Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const credential = (yield* sandbox.snapshot).credentials.find((c) => c._tag === "UserKey")!
      const client = FivetranClient.layer(FivetranClientConfig.make({
        apiKey: Redacted.make(credential.key),
        apiSecret: Redacted.make(credential.secret),
        baseUrl: sandbox.baseUrl
      }))
      yield* Effect.flatMap(SyncEngine, (engine) => engine.run({ syncConnections, concurrency: 8 })).pipe(
        Effect.provide(Layer.mergeAll(
          SyncEngine.layer.pipe(Layer.provide(client)),
          C1zSink.layer(path, { annotations: { exclusionGroups } })
        ))
      )
    }).pipe(Effect.provide(Sandbox.layer({ snapshot: generatePreset(preset), port: 0 })))
    const db = yield* openRawC1z(path)
    const blobs = (table: string) =>
      db.prepare(`SELECT external_id AS id, data FROM ${table}`).all() as Array<{ id: string; data: Uint8Array }>
    return {
      resourceTypes: blobs("v1_resource_types"),
      resources: blobs("v1_resources"),
      entitlements: blobs("v1_entitlements"),
      grants: blobs("v1_grants")
    }
  })

// Each case syncs a whole preset with the real client over loopback: medium takes tens of seconds.
const cases: ReadonlyArray<readonly [PresetName, boolean]> = [
  ["small", false],
  ["small", true],
  ["medium", false],
  ["medium", true]
]

describe("annotation types in written files", () => {
  for (const [preset, syncConnections] of cases) {
    it.scopedLive(
      `${preset}${syncConnections ? " with connections" : ""}: every Any resolves in baton-sdk v0.7.27`,
      () =>
        Effect.gen(function*() {
          const rows = yield* syncedRows(preset, syncConnections, false)
          const seen = new Map<string, number>()
          for (const table of Object.values(rows)) {
            for (const { data } of table) {
              for (const { typeUrl } of findAnys(data)) seen.set(typeUrl, (seen.get(typeUrl) ?? 0) + 1)
            }
          }
          const unknown = [...seen.keys()].filter((url) =>
            !batonSdkV0_7_27TypeUrls.has(url) && !url.startsWith("type.googleapis.com/google.protobuf.")
          )
          assert.deepStrictEqual(unknown, [])
          // The walk really saw the annotations we write: each trait and grant annotation type.
          const expectedTypes = [
            "ChildResourceType",
            "GrantImmutable",
            "GroupTrait",
            "RoleTrait",
            "SkipEntitlementsAndGrants",
            "UserTrait"
          ].filter((name) => syncConnections || name !== "ChildResourceType")
          assert.deepStrictEqual(
            [...seen.keys()].map((url) => url.replace("type.googleapis.com/c1.connector.v2.", "")).sort(),
            expectedTypes
          )
          assert.strictEqual(
            seen.get("type.googleapis.com/c1.connector.v2.UserTrait"),
            rows.resources.filter((r) => r.id.startsWith("user:")).length
          )
        }),
      { timeout: 240_000 }
    )
  }

  it.scopedLive("with exclusion groups on: role, group, team-role and connection entitlements carry theirs, team members none", () =>
    Effect.gen(function*() {
      const rows = yield* syncedRows("small", true, true)
      const groups = new Map(rows.entitlements.map(({ id, data }) => {
        const found = findAnys(data).filter((a) => a.typeUrl === ExclusionGroup)
        return [id, found.map((a) => stringField(a.value, 1))] as const
      }))
      const expectedGroup = (id: string): string | undefined => {
        const [type, resource] = id.split(":")
        const slug = id.slice(id.lastIndexOf(":") + 1)
        if (type === "role") return "role:account"
        if (type === "team" && slug === "member") return undefined
        return `${type}:${resource}:role`
      }
      assert.isAbove(groups.size, 0)
      for (const [id, found] of groups) {
        const expected = expectedGroup(id)
        assert.deepStrictEqual(found, expected === undefined ? [] : [expected], id)
      }
      const types = new Set([...groups.keys()].map((id) => id.split(":")[0]))
      assert.deepStrictEqual([...types].sort(), ["connection", "group", "role", "team"])
      // The entitlement copy inside every grant carries it as well, so grants need the newer SDK too.
      const grantsWithGroup = rows.grants.filter(({ data }) => findAnys(data).some((a) => a.typeUrl === ExclusionGroup))
      assert.isAbove(grantsWithGroup.length, 0)
    }))
})
