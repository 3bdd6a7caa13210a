import { openC1z } from "@baton-fivetran/c1z"
import { C1zSink } from "@baton-fivetran/c1z"
import { SyncEngine, type SyncSummary } from "@baton-fivetran/connector-core"
import { FivetranClient, FivetranClientConfig } from "@baton-fivetran/fivetran-client"
import { type AccountSnapshot, generatePreset, readSnapshot, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Redacted, Stream } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Expected, expectedSync } from "./Expected.js"

const fixture = join(import.meta.dirname, "fixtures", "edge-cases.json")

const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "e2e-sync-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

const sorted = (values: Iterable<string>) => Array.from(values).sort()

interface ReadBack {
  readonly summary: SyncSummary
  readonly state: AccountSnapshot
  readonly resourceTypes: ReadonlyArray<string>
  readonly resources: Readonly<Record<string, ReadonlyArray<string>>>
  readonly entitlements: ReadonlyArray<string>
  readonly grants: ReadonlyMap<string, { derived: boolean; sources?: Record<string, boolean>; expandableBy?: string }>
}

/** Serves `snapshot`, syncs it with the real client into a .c1z, and reads the file back. */
const syncToC1z = (snapshot: AccountSnapshot, syncConnections: boolean) =>
  Effect.gen(function*() {
    const path = join(yield* tempDir, "sync.c1z")
    const sandbox = yield* Sandbox
    const state = yield* sandbox.snapshot
    const credential = state.credentials.find((c) => c._tag === "UserKey")!
    const client = FivetranClient.layer(FivetranClientConfig.make({
      apiKey: Redacted.make(credential.key),
      apiSecret: Redacted.make(credential.secret),
      baseUrl: sandbox.baseUrl
    }))
    const summary = yield* Effect.flatMap(SyncEngine, (engine) => engine.run({ syncConnections, concurrency: 4 })).pipe(
      Effect.provide(Layer.mergeAll(SyncEngine.layer.pipe(Layer.provide(client)), C1zSink.layer(path)))
    )

    const reader = yield* openC1z(path)
    const all = <A>(stream: Stream.Stream<A, unknown>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)
    const types = yield* all(reader.resourceTypes)
    const resources = yield* all(reader.resources())
    const entitlements = yield* all(reader.entitlements())
    const grants = yield* all(reader.grants())
    const byType: Record<string, Array<string>> = {}
    for (const { value } of resources) (byType[value.id.resourceType] ??= []).push(value.id.resource)
    return {
      summary,
      state,
      resourceTypes: types.map((t) => t.id),
      resources: byType,
      entitlements: entitlements.map((e) => e.value.id),
      grants: new Map(grants.map(({ value }) => {
        const expandable = value.annotations.find((a) => a._tag === "GrantExpandable")
        const immutable = value.annotations.find((a) => a._tag === "GrantImmutable")
        return [value.id, {
          derived: immutable !== undefined,
          ...(value.sources === undefined
            ? {}
            : { sources: Object.fromEntries(Object.entries(value.sources).map(([k, v]) => [k, v.isDirect])) }),
          ...(expandable === undefined ? {} : { expandableBy: expandable.entitlementIds.join(",") })
        }]
      }))
    } satisfies ReadBack
  }).pipe(Effect.provide(Sandbox.layer({ snapshot, port: 0 })))

const assertMatches = (actual: ReadBack, expected: Expected) => {
  assert.deepStrictEqual(sorted(actual.resourceTypes), sorted(expected.resourceTypes))
  assert.deepStrictEqual(sorted(Object.keys(actual.resources)), sorted(Object.keys(expected.resources)))
  for (const [type, ids] of Object.entries(expected.resources)) {
    assert.deepStrictEqual(sorted(actual.resources[type] ?? []), sorted(ids), `resources of type ${type}`)
  }
  assert.deepStrictEqual(sorted(actual.entitlements), sorted(expected.entitlements))
  assert.deepStrictEqual(sorted(actual.grants.keys()), sorted(expected.grants.keys()))
  for (const [id, grant] of expected.grants) assert.deepStrictEqual(actual.grants.get(id), grant, `grant ${id}`)
  const derived = Array.from(expected.grants.values()).filter((g) => g.derived).length
  assert.deepStrictEqual(actual.summary.grants, { direct: expected.grants.size - derived, derived })
}

describe("sync -> .c1z -> read back", () => {
  it.scopedLive("edge cases: merged team + direct grants, account-only users, statuses, custom and deprecated roles", () =>
    Effect.gen(function*() {
      const snapshot = yield* readSnapshot(fixture)
      const actual = yield* syncToC1z(snapshot, true)
      const expected = expectedSync(actual.state, true)
      assertMatches(actual, expected)

      // The cases the fixture pins, spelled out.
      assert.deepStrictEqual(actual.grants.get("group:warehouse_g:View Destination:user:both_bo"), {
        derived: false,
        sources: {
          "group:warehouse_g:View Destination": true,
          "team:analysts_t:member": false,
          "team:ops_t:member": false
        }
      })
      assert.deepStrictEqual(actual.grants.get("group:lake_g:Manage Destination:user:both_bo"), {
        derived: true,
        sources: { "team:ops_t:member": false }
      })
      assert.deepStrictEqual(actual.grants.get("role:Account Reviewer:assigned:user:suspended_di"), {
        derived: false,
        sources: { "role:Account Reviewer:assigned": true, "team:analysts_t:member": false }
      })
      assert.isFalse(Array.from(actual.grants.keys()).some((id) => id.endsWith(":user:account_cy") && id.startsWith("group:")))
      assert.isTrue(actual.grants.has("group:warehouse_g:Destination Reviewer:user:invited_ed"))
      assert.isTrue(actual.grants.has("role:Owner:assigned:user:owner_fa"))
      assert.isTrue(actual.grants.has("role:Data Steward:assigned:user:service_ci"))
      assert.deepStrictEqual(actual.summary.warnings, [])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("edge cases: the user resources carry status, account type and profile", () =>
    Effect.gen(function*() {
      const snapshot = yield* readSnapshot(fixture)
      const path = join(yield* tempDir, "sync.c1z")
      yield* Effect.gen(function*() {
        const sandbox = yield* Sandbox
        const client = FivetranClient.layer(FivetranClientConfig.make({
          apiKey: Redacted.make("edge_user_key"),
          apiSecret: Redacted.make("edge_user_secret"),
          baseUrl: sandbox.baseUrl
        }))
        yield* Effect.flatMap(SyncEngine, (engine) => engine.run({ syncConnections: false, concurrency: 2 })).pipe(
          Effect.provide(Layer.mergeAll(SyncEngine.layer.pipe(Layer.provide(client)), C1zSink.layer(path)))
        )
      }).pipe(Effect.provide(Sandbox.layer({ snapshot, port: 0 })))
      const reader = yield* openC1z(path)
      const user = (id: string) =>
        Effect.map(reader.getResource({ resourceType: "user", resource: id }), (o) => {
          assert.isTrue(o._tag === "Some", id)
          return o._tag === "Some" ? o.value : undefined!
        })
      const suspended = yield* user("suspended_di")
      assert.deepStrictEqual(suspended.status, { status: "DISABLED" })
      const invited = yield* user("invited_ed")
      assert.deepStrictEqual(invited.status, { status: "ENABLED", details: "invited" })
      assert.strictEqual(invited.displayName, "ed@edge.example")
      const service = yield* user("service_ci")
      const trait = service.annotations.find((a) => a._tag === "UserTrait")
      assert.strictEqual(trait?._tag === "UserTrait" ? trait.accountType : undefined, "SERVICE")
      assert.strictEqual(service.profile?.["user_type"], "SERVICE_ACCOUNT")
      // A service account without an email (null on the wire): named by its names, no email or login.
      const noEmail = yield* user("service_nomail")
      const noEmailTrait = noEmail.annotations.find((a) => a._tag === "UserTrait")
      assert.strictEqual(noEmail.displayName, "Deploy Bot")
      assert.deepStrictEqual(
        noEmailTrait?._tag === "UserTrait" ? [noEmailTrait.emails, noEmailTrait.login, noEmailTrait.accountType] : [],
        [[], undefined, "SERVICE"]
      )
      const owner = yield* reader.getResource({ resourceType: "role", resource: "Owner" })
      assert.strictEqual(
        owner._tag === "Some" ? owner.value.description : undefined,
        "Pre-RBAC account owner. Deprecated: replaced by \"Account Administrator\"."
      )
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("preset small with connections matches the expectation computed from the sandbox state", () =>
    Effect.gen(function*() {
      const actual = yield* syncToC1z(generatePreset("small"), true)
      assertMatches(actual, expectedSync(actual.state, true))
      assert.isAbove(actual.summary.grants.derived, 0)
    }))

  it.scopedLive("preset small without connections", () =>
    Effect.gen(function*() {
      const actual = yield* syncToC1z(generatePreset("small"), false)
      assertMatches(actual, expectedSync(actual.state, false))
    }))
})
