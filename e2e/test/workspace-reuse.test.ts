import { C1zSink, openC1z } from "@baton-fivetran/c1z"
import {
  BuiltInResourceTypes,
  ContainerAbsent,
  nothingLeftOut,
  Provisioner,
  type ResolveError,
  type ResourceTypeModule,
  ResourceTypeRegistry,
  SyncEngine,
  type SyncRow,
  SyncSink,
  type SyncSummary
} from "@baton-fivetran/connector-core"
import { FivetranClient, FivetranClientConfig } from "@baton-fivetran/fivetran-client"
import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Option, Redacted, Ref, Stream } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

/**
 * Another workspace app reusing the packages the way their READMEs show, through their public entry
 * points only (no deep import, nothing of the apps): the sandbox started from code, a client for it,
 * the sync engine into a sink of the app's own and into a .c1z, provisioning, and the client alone.
 * The `small` preset is generated from a fixed seed, so every count below is exact.
 */

const SandboxLive = Sandbox.layer({ snapshot: generatePreset("small"), port: 0 })

/** The sandbox's system key, as the sandbox README says to find it. */
const clientConfig = (overrides: { readonly apiSecret?: string } = {}) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    const snapshot = yield* sandbox.snapshot
    const systemKey = snapshot.credentials.find((credential) => credential._tag === "SystemKey")
    assert.isDefined(systemKey)
    return FivetranClientConfig.make({
      apiKey: Redacted.make(systemKey.key),
      apiSecret: Redacted.make(overrides.apiSecret ?? systemKey.secret),
      baseUrl: sandbox.baseUrl
    })
  })

const ClientLive = Layer.unwrapEffect(Effect.map(clientConfig(), FivetranClient.layer))

const AppLive = Layer.mergeAll(SyncEngine.layer, Provisioner.layer({ enabled: true })).pipe(
  Layer.provideMerge(ClientLive),
  Layer.provideMerge(SandboxLive)
)

/** The app's own sink: it keeps nothing but a count of the rows of each kind. */
const countingSink = (counts: Ref.Ref<Record<string, number>>) =>
  Layer.succeed(SyncSink, {
    write: <E, R>(rows: Stream.Stream<SyncRow, E, R>) =>
      Stream.runForEach(rows, (row) => Ref.update(counts, (seen) => ({ ...seen, [row._tag]: (seen[row._tag] ?? 0) + 1 })))
        .pipe(Effect.as(nothingLeftOut))
  })

/**
 * A type the app registers itself (README: "A workspace app ... can register a type"): workspaces a
 * user is a member of, none of which exists any more, so its `resolve` reports the container gone.
 */
const goneWorkspace = (id: string): Effect.Effect<never, ResolveError> =>
  Effect.fail(new ContainerAbsent({ message: `workspace ${id} is gone` }))

const WorkspaceType: ResourceTypeModule = {
  type: { id: "workspace", displayName: "Workspace", traits: [], description: "A workspace", annotations: [] },
  capabilities: ["CAPABILITY_PROVISION"],
  sync: { typeIn: () => Option.none(), phase: "groups", rows: () => Stream.empty },
  grants: { grantableTo: ["user"], resolve: (_context, target) => goneWorkspace(target.entitlement.resourceId) }
}

const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "e2e-reuse-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

const count = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.size)

const totals = (summary: SyncSummary) => ({
  resourceTypes: summary.resourceTypes,
  resources: Object.values(summary.resources).reduce((sum, n) => sum + n, 0),
  entitlements: summary.entitlements,
  grants: summary.grants.direct + summary.grants.derived
})

const smallWithConnections = { resourceTypes: 5, resources: 46, entitlements: 107, grants: 149 }

describe("a workspace app reusing the packages' public entry points", () => {
  it.scopedLive("syncs the sandbox into a sink of its own and into a .c1z, with the same counts", () =>
    Effect.gen(function*() {
      const engine = yield* SyncEngine
      const options = { syncConnections: true, concurrency: 4 }

      const counts = yield* Ref.make<Record<string, number>>({})
      const counted = yield* engine.run(options).pipe(Effect.provide(countingSink(counts)))
      assert.deepStrictEqual(yield* Ref.get(counts), {
        ResourceTypeRow: 5,
        ResourceRow: 46,
        EntitlementRow: 107,
        GrantRow: 149
      })
      assert.deepStrictEqual(totals(counted), smallWithConnections)
      assert.deepStrictEqual(counted.resources, { user: 25, role: 6, group: 4, team: 3, connection: 8 })
      assert.deepStrictEqual(counted.grants, { direct: 107, derived: 42 })

      const path = join(yield* tempDir, "sync.c1z")
      const written = yield* engine.run(options).pipe(Effect.provide(C1zSink.layer(path)))
      assert.deepStrictEqual(totals(written), smallWithConnections)
      const reader = yield* openC1z(path)
      assert.deepStrictEqual({
        resourceTypes: yield* count(reader.resourceTypes),
        resources: yield* count(reader.resources()),
        entitlements: yield* count(reader.entitlements()),
        grants: yield* count(reader.grants())
      }, smallWithConnections)
    }).pipe(Effect.provide(AppLive)))

  it.scopedLive("grants, repeats, revokes and invites, and tells a bot's mistakes apart by tag", () =>
    Effect.gen(function*() {
      const provisioner = yield* Provisioner
      const entitlement = "group:formal_birch:View Destination"
      const user = { type: "user", id: "wise_cactus" }

      const granted = yield* provisioner.grant(entitlement, user)
      assert.strictEqual(granted._tag, "Granted")
      assert.deepStrictEqual(granted.grants.map((grant) => grant.id), [`${entitlement}:user:wise_cactus`])
      assert.strictEqual((yield* provisioner.grant(entitlement, user))._tag, "AlreadyExists")
      const revoked = yield* provisioner.revoke(`${entitlement}:user:wise_cactus`)
      assert.deepStrictEqual(revoked, { _tag: "Revoked", stillHeldThrough: [], alsoRevoked: [] })

      const invited = yield* provisioner.createAccount({
        email: "new.person@example.com",
        given_name: "New",
        family_name: "Person",
        role: "Account Reviewer"
      })
      assert.strictEqual(invited._tag, "Created")
      assert.strictEqual(invited.resource.displayName, "New Person")

      const refusal = (effect: Effect.Effect<unknown, { readonly _tag: string; readonly message: string }>) =>
        Effect.map(Effect.flip(effect), (error) => `${error._tag}: ${error.message}`)
      assert.strictEqual(
        yield* refusal(provisioner.grant("group:formal_birch:No Such Role", user)),
        "UnknownRole: group:formal_birch:No Such Role: \"No Such Role\" is not a role of this account; valid DESTINATION " +
          "roles: \"Manage Destination\", \"Edit Destination\", \"View Destination\", \"Create Connection\", " +
          "\"Warehouse Steward\" (deprecated, still taken: \"Destination Administrator\", \"Destination Reviewer\", " +
          "\"Destination Analyst\", \"Connector Creator\")"
      )
      assert.strictEqual(
        yield* refusal(provisioner.grant("group:formal_birch", user)),
        "InvalidId: invalid entitlement id \"group:formal_birch\": it needs at least two ':' separators " +
          "(expected <type>:<id>:<slug>, e.g. group:<group id>:View Destination)"
      )
    }).pipe(Effect.provide(AppLive)))

  it.scopedLive("registers a grantable type of its own, whose resolve says its container is gone (ContainerAbsent)", () =>
    Effect.gen(function*() {
      const provisioner = yield* Provisioner
      const granted = yield* Effect.flip(provisioner.grant("workspace:ws_gone:member", { type: "user", id: "wise_cactus" }))
      assert.deepStrictEqual([granted._tag, granted.message], ["UnknownEntitlement", "workspace ws_gone is gone"])
      const revoked = yield* provisioner.revoke("workspace:ws_gone:member:user:wise_cactus")
      assert.strictEqual(revoked._tag, "AlreadyRevoked")
      assert.include(revoked._tag === "AlreadyRevoked" ? revoked.detail : undefined, "workspace ws_gone")
    }).pipe(
      Effect.provide(
        Provisioner.layer({ enabled: true }).pipe(
          Layer.provide(Layer.succeed(ResourceTypeRegistry, [...BuiltInResourceTypes, WorkspaceType])),
          Layer.provide(ClientLive),
          Layer.provide(SandboxLive)
        )
      )
    ))

  it.scopedLive("lists with the client alone, and a wrong secret is its Unauthorized", () =>
    Effect.gen(function*() {
      const users = yield* Effect.flatMap(FivetranClient, (fivetran) => count(fivetran.listUsers))
      assert.strictEqual(users, 25)

      const wrongSecret = yield* clientConfig({ apiSecret: "not-the-secret" })
      const error = yield* Effect.flatMap(FivetranClient, (fivetran) => Stream.runDrain(fivetran.listUsers)).pipe(
        Effect.provide(FivetranClient.layer(wrongSecret)),
        Effect.flip
      )
      assert.strictEqual(error._tag, "Unauthorized")
      assert.strictEqual(
        error.message,
        "GET /v1/users: Fivetran rejected the API key or secret (401 Unauthorized); check the api-key and api-secret settings"
      )
    }).pipe(Effect.provide(Layer.provideMerge(ClientLive, SandboxLive))))
})
