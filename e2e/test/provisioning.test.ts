import { C1zSink, openC1z } from "@baton-fivetran/c1z"
import { type GrantOutcome, Provisioner, SyncEngine } from "@baton-fivetran/connector-core"
import { FivetranClient, FivetranClientConfig, type User } from "@baton-fivetran/fivetran-client"
import { type AccountSnapshot, fullAccessPermissions, Sandbox, standardRoles } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Redacted, Ref, Stream } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

/**
 * Provisioning end to end: each action goes through connector-core's Provisioner and the real
 * client to the sandbox; a sync into a .c1z after it, read back with openC1z, must differ from the
 * previous one by exactly the grants the action adds or removes (derived grants included).
 *
 * The account:
 *   users  admin (Account Administrator), ana (Account Reviewer), ben (none), cy (Account Analyst), dee (Account Reviewer)
 *   t_eng  Account Analyst; members cy (Team Member), ben (Team Manager); Manage Destination on g_side; View Connection on c_pg
 *   t_ops  no role, no members, no memberships
 *   ana    View Destination on g_main, Edit Connection on c_sf
 */

const at = "2024-11-30T16:02:44.905117Z"

const user = (id: string, role: string | null): User => ({
  id,
  email: `${id}@example.com`,
  given_name: id,
  family_name: "Tester",
  verified: true,
  invited: false,
  picture: null,
  phone: null,
  role,
  logged_in_at: null,
  created_at: at,
  active: true,
  user_type: "REGULAR_USER"
})

const credential = {
  _tag: "SystemKey",
  key: "e2e_provisioning_key",
  secret: "e2e-provisioning-secret",
  system_key_id: "key_e2e",
  permissions: fullAccessPermissions
} as const

const account: AccountSnapshot = {
  account: { account_id: "acct_e2e_prov", account_name: "Provisioning E2E" },
  roles: standardRoles,
  users: [
    user("admin", "Account Administrator"),
    user("ana", "Account Reviewer"),
    user("ben", null),
    user("cy", "Account Analyst"),
    user("dee", "Account Reviewer")
  ],
  groups: [{ id: "g_main", name: "main", created_at: at }, { id: "g_side", name: "side", created_at: at }],
  teams: [
    { id: "t_eng", name: "Engineering", description: null, role: "Account Analyst" },
    { id: "t_ops", name: "Operations", description: null, role: null }
  ],
  connections: [
    { id: "c_sf", group_id: "g_main", service: "salesforce", schema: "sf", created_at: at, paused: false },
    { id: "c_pg", group_id: "g_side", service: "postgres", schema: "pg", created_at: at, paused: false }
  ],
  user_groups: [{ user_id: "ana", group_id: "g_main", role: "View Destination", created_at: at }],
  user_connections: [{ user_id: "ana", connection_id: "c_sf", role: "Edit Connection", created_at: at }],
  team_users: [
    { team_id: "t_eng", user_id: "cy", role: "Team Member", created_at: at },
    { team_id: "t_eng", user_id: "ben", role: "Team Manager", created_at: at }
  ],
  team_groups: [{ team_id: "t_eng", group_id: "g_side", role: "Manage Destination", created_at: at }],
  team_connections: [{ team_id: "t_eng", connection_id: "c_pg", role: "View Connection", created_at: at }],
  credentials: [credential]
}

const services = Layer.mergeAll(Provisioner.layer({ enabled: true, syncConnections: true }), SyncEngine.layer).pipe(
  Layer.provideMerge(
    Layer.unwrapEffect(Effect.map(Sandbox, (sandbox) =>
      FivetranClient.layer(FivetranClientConfig.make({
        apiKey: Redacted.make(credential.key),
        apiSecret: Redacted.make(credential.secret),
        baseUrl: sandbox.baseUrl
      }))))
  ),
  Layer.provideMerge(Sandbox.layer({ snapshot: account, port: 0 }))
)

interface SyncedFile {
  /** grant id -> derived (carries GrantImmutable) */
  readonly grants: ReadonlyMap<string, boolean>
  readonly users: ReadonlyArray<string>
}

interface Change {
  /** grant id -> derived */
  readonly added?: Readonly<Record<string, boolean>>
  readonly removed?: ReadonlyArray<string>
}

const sorted = (values: Iterable<string>) => Array.from(values).sort()

/**
 * A sync session over one sandbox: `sync` writes a new .c1z and reads it back; `expectChange`
 * runs an action and asserts the next sync differs from the previous one by exactly `added`
 * (id -> derived) and `removed`.
 */
const session = Effect.gen(function*() {
  const dir = yield* Effect.acquireRelease(
    Effect.promise(() => mkdtemp(join(tmpdir(), "e2e-provisioning-"))),
    (path) => Effect.promise(() => rm(path, { recursive: true, force: true }))
  )
  const count = yield* Ref.make(0)
  const sync = Effect.gen(function*() {
    const path = join(dir, `sync-${yield* Ref.getAndUpdate(count, (n) => n + 1)}.c1z`)
    const engine = yield* SyncEngine
    const summary = yield* engine.run({ syncConnections: true, concurrency: 2 }).pipe(Effect.provide(C1zSink.layer(path)))
    assert.deepStrictEqual(summary.warnings, [])
    const reader = yield* openC1z(path)
    const grants = Chunk.toReadonlyArray(yield* Stream.runCollect(reader.grants()))
    const users = Chunk.toReadonlyArray(yield* Stream.runCollect(reader.resources({ resourceType: "user" })))
    const file: SyncedFile = {
      grants: new Map(grants.map(({ value }) => [value.id, value.annotations.some((a) => a._tag === "GrantImmutable")])),
      users: users.map(({ value }) => value.id.resource)
    }
    return file
  })
  const previous = yield* Ref.make(yield* sync)
  const expectChange = <A, E, R>(action: Effect.Effect<A, E, R>, change: Change | ((result: A) => Change)) =>
    Effect.gen(function*() {
      const result = yield* action
      const expected = typeof change === "function" ? change(result) : change
      const before = yield* Ref.get(previous)
      const after = yield* sync
      yield* Ref.set(previous, after)
      const added = Object.fromEntries(
        Array.from(after.grants).filter(([id]) => !before.grants.has(id)).sort(([a], [b]) => a.localeCompare(b))
      )
      const removed = sorted(Array.from(before.grants.keys()).filter((id) => !after.grants.has(id)))
      assert.deepStrictEqual(added, Object.fromEntries(Object.entries(expected.added ?? {}).sort(([a], [b]) => a.localeCompare(b))))
      assert.deepStrictEqual(removed, sorted(expected.removed ?? []))
      return { result, before, after }
    })
  return { sync, expectChange, current: Ref.get(previous) }
})

const grant = (entitlementId: string, type: string, id: string) => Effect.flatMap(Provisioner, (p) => p.grant(entitlementId, { type, id }))
const revoke = (grantId: string) => Effect.flatMap(Provisioner, (p) => p.revoke(grantId))
const ids = (outcome: GrantOutcome) => outcome.grants.map((g) => g.id)

describe("provisioning -> sync -> .c1z", () => {
  it.scopedLive("each grant and revoke changes exactly its grants in the next sync", () =>
    Effect.gen(function*() {
      const { expectChange } = yield* session

      const role = yield* expectChange(grant("role:Account Billing:assigned", "user", "ana"), {
        added: { "role:Account Billing:assigned:user:ana": false },
        removed: ["role:Account Reviewer:assigned:user:ana"]
      })
      assert.deepStrictEqual(ids(role.result), ["role:Account Billing:assigned:user:ana"])

      yield* expectChange(grant("group:g_main:Edit Destination", "user", "ana"), {
        added: { "group:g_main:Edit Destination:user:ana": false },
        removed: ["group:g_main:View Destination:user:ana"]
      })
      yield* expectChange(grant("connection:c_sf:Manage Connection", "user", "ana"), {
        added: { "connection:c_sf:Manage Connection:user:ana": false },
        removed: ["connection:c_sf:Edit Connection:user:ana"]
      })
      yield* expectChange(grant("team:t_eng:Team Manager", "user", "cy"), {
        added: { "team:t_eng:Team Manager:user:cy": false },
        removed: ["team:t_eng:Team Member:user:cy"]
      })
      yield* expectChange(grant("role:Account Reviewer:assigned", "team", "t_ops"), {
        added: { "role:Account Reviewer:assigned:team:t_ops": false }
      })

      // Repeats and revokes of absent grants change nothing.
      const noOps = yield* expectChange(
        Effect.all([grant("group:g_main:Edit Destination", "user", "ana"), revoke("group:g_main:View Destination:user:ana")]),
        {}
      )
      assert.deepStrictEqual(noOps.result.map((outcome) => outcome._tag), ["AlreadyExists", "AlreadyRevoked"])

      yield* expectChange(revoke("group:g_main:Edit Destination:user:ana"), { removed: ["group:g_main:Edit Destination:user:ana"] })
      yield* expectChange(revoke("connection:c_sf:Manage Connection:user:ana"), {
        removed: ["connection:c_sf:Manage Connection:user:ana"]
      })
      yield* expectChange(revoke("role:Account Billing:assigned:user:ana"), { removed: ["role:Account Billing:assigned:user:ana"] })
      yield* expectChange(revoke("role:Account Reviewer:assigned:team:t_ops"), { removed: ["role:Account Reviewer:assigned:team:t_ops"] })
      yield* expectChange(revoke("team:t_eng:Team Manager:user:cy"), {
        removed: [
          "team:t_eng:member:user:cy",
          "team:t_eng:Team Manager:user:cy",
          // cy keeps Account Analyst directly; the team was one of its sources, now only derived access goes.
          "group:g_side:Manage Destination:user:cy",
          "connection:c_pg:View Connection:user:cy"
        ]
      })
    }).pipe(Effect.provide(services)))

  it.scopedLive("derived grants appear and disappear with team membership and team grants", () =>
    Effect.gen(function*() {
      const { expectChange } = yield* session

      const teamGrant = yield* expectChange(grant("group:g_main:View Destination", "team", "t_eng"), {
        added: {
          "group:g_main:View Destination:team:t_eng": false,
          "group:g_main:View Destination:user:cy": true,
          "group:g_main:View Destination:user:ben": true
        }
      })
      assert.deepStrictEqual(ids(teamGrant.result), ["group:g_main:View Destination:team:t_eng"])

      const join = yield* expectChange(grant("team:t_eng:member", "user", "dee"), {
        added: {
          "team:t_eng:member:user:dee": false,
          "team:t_eng:Team Member:user:dee": false,
          "role:Account Analyst:assigned:user:dee": true,
          "group:g_side:Manage Destination:user:dee": true,
          "group:g_main:View Destination:user:dee": true,
          "connection:c_pg:View Connection:user:dee": true
        }
      })
      assert.deepStrictEqual(ids(join.result), ["team:t_eng:member:user:dee", "team:t_eng:Team Member:user:dee"])

      // A derived grant has nothing direct to revoke: already revoked, naming the team grant; nothing changes.
      const derived = yield* expectChange(revoke("group:g_side:Manage Destination:user:dee"), {})
      assert.deepStrictEqual(derived.result._tag === "AlreadyRevoked" ? derived.result.stillHeldThrough : [], [
        "group:g_side:Manage Destination:team:t_eng"
      ])

      yield* expectChange(revoke("team:t_eng:member:user:dee"), {
        removed: [
          "team:t_eng:member:user:dee",
          "team:t_eng:Team Member:user:dee",
          "role:Account Analyst:assigned:user:dee",
          "group:g_side:Manage Destination:user:dee",
          "group:g_main:View Destination:user:dee",
          "connection:c_pg:View Connection:user:dee"
        ]
      })

      yield* expectChange(revoke("group:g_main:View Destination:team:t_eng"), {
        removed: [
          "group:g_main:View Destination:team:t_eng",
          "group:g_main:View Destination:user:cy",
          "group:g_main:View Destination:user:ben"
        ]
      })

      // A direct grant that a team also gives: granting it keeps one row, now direct; revoking it
      // leaves the derived one (same id), so the sync shows no change in ids but the flag flips.
      const direct = yield* expectChange(grant("group:g_side:Manage Destination", "user", "ben"), {})
      assert.strictEqual(direct.before.grants.get("group:g_side:Manage Destination:user:ben"), true)
      assert.strictEqual(direct.after.grants.get("group:g_side:Manage Destination:user:ben"), false)
      const back = yield* expectChange(revoke("group:g_side:Manage Destination:user:ben"), {})
      assert.strictEqual(back.result._tag, "Revoked")
      assert.strictEqual(back.after.grants.get("group:g_side:Manage Destination:user:ben"), true)
    }).pipe(Effect.provide(services)))

  it.scopedLive("created accounts appear as users; a deleted user's memberships are gone from the next sync", () =>
    Effect.gen(function*() {
      const { current, expectChange } = yield* session

      // The new user resource appears, holding exactly the account role it was created with.
      const created = yield* expectChange(
        Effect.flatMap(Provisioner, (p) =>
          p.createAccount({ email: "new.hire@example.com", given_name: "New", family_name: "Hire", role: "Account Reviewer" })),
        (outcome) => ({ added: { [`role:Account Reviewer:assigned:user:${outcome.resource.id.resource}`]: false } })
      )
      assert.strictEqual(created.result._tag, "Created")
      const newUser = created.result.resource.id.resource
      assert.deepStrictEqual(
        sorted(created.after.users),
        sorted([
          ...account.users.map((u) =>
            u.id
          ),
          newUser
        ])
      )
      const twice = yield* expectChange(
        Effect.flatMap(Provisioner, (p) => p.createAccount({ email: "NEW.HIRE@example.com", given_name: "New", family_name: "Hire" })),
        {}
      )
      assert.strictEqual(twice.result._tag, "AlreadyExists")
      assert.strictEqual(twice.result.resource.id.resource, newUser)

      const before = yield* current
      const benGrants = sorted(Array.from(before.grants.keys()).filter((id) => id.endsWith(":user:ben")))
      assert.deepStrictEqual(
        benGrants,
        sorted([
          "team:t_eng:member:user:ben",
          "team:t_eng:Team Manager:user:ben",
          "role:Account Analyst:assigned:user:ben",
          "group:g_side:Manage Destination:user:ben",
          "connection:c_pg:View Connection:user:ben"
        ])
      )
      const deleted = yield* expectChange(Effect.flatMap(Provisioner, (p) => p.deleteResource("user", "ben")), { removed: benGrants })
      assert.strictEqual(deleted.result._tag, "Deleted")
      assert.isFalse(deleted.after.users.includes("ben"))
      const again = yield* expectChange(Effect.flatMap(Provisioner, (p) => p.deleteResource("user", "ben")), {})
      assert.strictEqual(again.result._tag, "DoesNotExist")
    }).pipe(Effect.provide(services)))
})
