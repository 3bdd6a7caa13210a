import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import { assert, describe, it } from "@effect/vitest"
import { FivetranClient, FivetranClientConfig } from "@baton-fivetran/fivetran-client"
import { Effect, Layer, Redacted } from "effect"
import { scriptedServer } from "../../fivetran-client/test/support/LoopbackServer.js"
import { InvalidId, Provisioner, type ProvisioningError, ProvisioningErrors, SyncEngine, UnknownRole } from "../src/index.js"
import { collectingSink } from "./support/Harness.js"
import {
  account,
  logged,
  provisioningLayer,
  readFirstTogether,
  requestsSince,
  state,
  systemKey,
  userReadOnlyKey,
  writesIn
} from "./support/ProvisioningFixture.js"

/** Refusals: each names what is wrong, and none writes anything (most make no request at all). */

const refusal = <A>(action: (p: Provisioner["Type"]) => Effect.Effect<A, ProvisioningError>) =>
  logged(Effect.flip(Effect.flatMap(Provisioner, action)))

const assertRefused = (
  outcome: { readonly result: ProvisioningError; readonly requests: ReadonlyArray<string> },
  tag: ProvisioningError["_tag"],
  fragments: ReadonlyArray<string>
) => {
  assert.strictEqual(outcome.result._tag, tag, outcome.result.message)
  for (const fragment of fragments) assert.include(outcome.result.message, fragment)
  assert.deepStrictEqual(writesIn(outcome.requests), [])
}

const user = (id: string) => ({ type: "user", id })
const team = (id: string) => ({ type: "team", id })

const DestinationRoles = `valid DESTINATION roles: "Manage Destination", "Edit Destination", "View Destination", "Create Connection" ` +
  `(deprecated, still taken: "Destination Administrator", "Destination Reviewer", "Destination Analyst", "Connector Creator")`
const AccountRoles = `valid ACCOUNT roles: "Account Administrator", "Account Billing", "Account Analyst", "Account Reviewer", ` +
  `"Destination Creator", "Data Steward"`

describe("refusal classes", () => {
  it("each refusal is its own tagged class carrying the HTTP status the service answers with", () => {
    const statuses = ProvisioningErrors.map((refusal) => [refusal._tag, HttpApiSchema.getStatusError(refusal)])
    assert.deepStrictEqual(statuses, [
      ["InvalidId", 400],
      ["InvalidInput", 400],
      ["ProvisioningDisabled", 403],
      ["MissingPermission", 403],
      ["UnknownEntitlement", 404],
      ["UnknownPrincipal", 404],
      ["NotFound", 404],
      ["Conflict", 409],
      ["UnknownRole", 422],
      ["WrongScope", 422],
      ["NotGrantable", 422],
      ["Unsupported", 422],
      ["RateLimited", 429],
      ["KeyRejected", 502],
      ["Upstream", 502]
    ])
  })

  it.live("catchTag tells the refusals apart", () =>
    Effect.gen(function*() {
      const refused: Effect.Effect<string, ProvisioningError> = Effect.fail(new InvalidId({ message: "bad id" }))
      const handled = yield* refused.pipe(
        Effect.catchTag("UnknownRole", (e) => Effect.succeed(`role: ${e.message}`)),
        Effect.catchTag("InvalidId", (e) => Effect.succeed(`id: ${e.message}`)),
        Effect.either
      )
      assert.deepStrictEqual(handled._tag === "Right" ? handled.right : handled.left._tag, "id: bad id")
      assert.notInstanceOf(new InvalidId({ message: "x" }), UnknownRole)
    }))
})

describe("ids", () => {
  it.live("a malformed entitlement or grant id is InvalidId naming the expected format, before any request", () =>
    Effect.gen(function*() {
      const entitlement = yield* refusal((p) => p.grant("group:g_main", user("ana")))
      assertRefused(entitlement, "InvalidId", [`"group:g_main"`, "<type>:<id>:<slug>"])
      assert.deepStrictEqual(entitlement.requests, [])

      const empty = yield* refusal((p) => p.grant("group::View Destination", user("ana")))
      assertRefused(empty, "InvalidId", ["the resource id is empty"])

      const grant = yield* refusal((p) => p.revoke("group:g_main:View Destination"))
      assertRefused(grant, "InvalidId", [
        `"group:g_main:View Destination": it has 2 ':' separators, a grant id at least four`,
        "<entitlement id>:<principal type>:<principal id>"
      ])
      assert.deepStrictEqual(grant.requests, [])

      const noPrincipal = yield* refusal((p) => p.revoke("group:g_main:View Destination:user:"))
      assertRefused(noPrincipal, "InvalidId", ["the principal id is empty"])

      // A segment too many made "ana" the principal type: NotGrantable ("... not to ana:x"), exit 1.
      const extra = yield* refusal((p) => p.revoke("group:g_main:View Destination:user:ana:x"))
      assert.strictEqual(
        extra.result.message,
        `invalid grant id "group:g_main:View Destination:user:ana:x": "ana" (before the last ':') is not a principal type; ` +
          `a grant id ends with :user:<user id> or :team:<team id> (expected <entitlement id>:<principal type>:<principal id>, ` +
          `e.g. group:<group id>:View Destination:user:<user id>)`
      )
      assertRefused(extra, "InvalidId", [])
      assert.deepStrictEqual(extra.requests, [])

      // An unpaired UTF-16 surrogate cannot go into a URL: it was a defect (HTTP 500) when the URL was built.
      const surrogates = [
        yield* refusal((p) => p.grant("group:g_main:View Destination", user("ana\ud800"))),
        yield* refusal((p) => p.grant("group:g_main\udc00:View Destination", user("ana"))),
        yield* refusal((p) => p.revoke("group:g_main:View Destination:user:ana\ud800"))
      ]
      for (const refused of surrogates) assertRefused(refused, "InvalidId", ["it contains an unpaired UTF-16 surrogate"])
      assert.deepStrictEqual(surrogates.flatMap((refused) => refused.requests), [])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a malformed user or team id is the same InvalidId from a grant, a revoke and a delete, before any request", () =>
    Effect.gen(function*() {
      // Each was sent before: a grant answered UnknownPrincipal, a revoke "already revoked", ".." even asked for GET /v1/.
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["ana ", `invalid user id "ana ": it ends with whitespace (U+0020), which no Fivetran id has`],
        ["a na", `invalid user id "a na": it contains whitespace (U+0020), which no Fivetran id has`],
        ["an\u200ba", `invalid user id "an\u200ba": it contains an invisible formatting character (U+200B), which no Fivetran id has`],
        ["..", `invalid user id "..": it is "..", a path step in a URL, not an id`],
        ["../..", `invalid user id "../..": it contains '/', which no Fivetran id has`],
        ["a\\b", `invalid user id "a\\\\b": it contains '\\', which no Fivetran id has`],
        ["ana\ud800", `invalid user id "ana\\ud800": it contains an unpaired UTF-16 surrogate`]
      ]
      for (const [id, message] of cases) {
        const refused = [
          yield* refusal((p) => p.grant("group:g_main:View Destination", user(id))),
          yield* refusal((p) => p.revoke(`group:g_main:View Destination:user:${id}`)),
          yield* refusal((p) => p.deleteResource("user", id))
        ]
        assert.deepStrictEqual(refused.map(({ result }) => [result._tag, result.message]), [
          ["InvalidId", message],
          ["InvalidId", message],
          ["InvalidId", message]
        ])
        assert.deepStrictEqual(refused.flatMap(({ requests }) => requests), [])
      }

      const teamMessage = `invalid team id " t_ops": it starts with whitespace (U+0020), which no Fivetran id has`
      const teams = [
        yield* refusal((p) => p.grant("role:Account Reviewer:assigned", team(" t_ops"))),
        yield* refusal((p) => p.revoke("role:Account Reviewer:assigned:team: t_ops"))
      ]
      assert.deepStrictEqual(teams.map(({ result }) => [result._tag, result.message]), [
        ["InvalidId", teamMessage],
        ["InvalidId", teamMessage]
      ])
      // A grant id cannot carry these (the principal id is what follows the last ':'); a grant request can.
      const typed = [
        yield* refusal((p) => p.grant("team:t_eng:member", user("user:ana"))),
        yield* refusal((p) => p.grant("team:t_eng:member", user("team:t_ops"))),
        yield* refusal((p) => p.grant("team:t_eng:member", user("")))
      ]
      assert.deepStrictEqual(typed.map(({ result }) => [result._tag, result.message]), [
        ["InvalidId", `invalid user id "user:ana": give the id without its type (ana)`],
        ["InvalidId", `invalid user id "team:t_ops": give the id without its type (t_ops), and a user's: it names a team`],
        ["InvalidId", `invalid user id "": it is empty`]
      ])
      assert.deepStrictEqual([...teams, ...typed].flatMap(({ requests }) => requests), [])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a malformed group, team or connection id in an entitlement is InvalidId naming it, before any request", () =>
    Effect.gen(function*() {
      // Each was looked up before and answered UnknownEntitlement (404); a role's id is its name, spaces and all.
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["group:g_main :View Destination", `invalid group id "g_main ": it ends with whitespace (U+0020), which no Fivetran id has`],
        ["team:t\u00a0eng:member", `invalid team id "t\u00a0eng": it contains whitespace (U+00A0), which no Fivetran id has`],
        ["connection:..:View Connection", `invalid connection id "..": it is "..", a path step in a URL, not an id`],
        ["group::Ops:View Destination", `invalid group id "": it is empty`]
      ]
      for (const [entitlementId, message] of cases) {
        const refused = [
          yield* refusal((p) => p.grant(entitlementId, user("ana"))),
          yield* refusal((p) => p.revoke(`${entitlementId}:user:ana`))
        ]
        assert.deepStrictEqual(refused.map(({ result }) => [result._tag, result.message]), [
          ["InvalidId", message],
          ["InvalidId", message]
        ])
        assert.deepStrictEqual(refused.flatMap(({ requests }) => requests), [])
      }
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a type without entitlements is Unsupported; a type the connector does not have is InvalidId (a mistyped id)", () =>
    Effect.gen(function*() {
      const userEntitlement = yield* refusal((p) => p.grant("user:ana:member", user("ben")))
      assertRefused(userEntitlement, "Unsupported", ["users have no entitlements"])
      const unknownType = yield* refusal((p) => p.revoke("workspace:w1:admin:user:ana"))
      assert.strictEqual(unknownType.result._tag, "InvalidId")
      assert.strictEqual(
        unknownType.result.message,
        `invalid entitlement id "workspace:w1:admin": "workspace" is not a resource type of this connector; ` +
          "entitlement ids start with role, group, team, connection"
      )
      assert.deepStrictEqual(yield* requestsSince, [])
    }).pipe(Effect.provide(provisioningLayer())))
})

describe("principals", () => {
  it.live("principal types the entitlement cannot be granted to are NotGrantable", () =>
    Effect.gen(function*() {
      const teamToTeam = yield* refusal((p) => p.grant("team:t_eng:member", team("t_ops")))
      assertRefused(teamToTeam, "NotGrantable", ["team:t_eng:member can be granted to user principals only", "team:t_ops"])
      const revokeTeamToTeam = yield* refusal((p) => p.revoke("team:t_eng:Team Manager:team:t_ops"))
      assertRefused(revokeTeamToTeam, "NotGrantable", ["to user principals only"])
      const groupPrincipal = yield* refusal((p) => p.grant("group:g_main:View Destination", { type: "group", id: "g_side" }))
      assertRefused(groupPrincipal, "NotGrantable", ["user or team principals only, not to group:g_side"])
      assert.deepStrictEqual(yield* requestsSince, [])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a grant to a principal that does not exist is UnknownPrincipal", () =>
    Effect.gen(function*() {
      const nobody = yield* refusal((p) => p.grant("group:g_main:View Destination", user("nobody")))
      assertRefused(nobody, "UnknownPrincipal", ["user nobody does not exist"])
      const noTeam = yield* refusal((p) => p.grant("role:Account Reviewer:assigned", team("t_nope")))
      assertRefused(noTeam, "UnknownPrincipal", ["team t_nope does not exist"])
    }).pipe(Effect.provide(provisioningLayer())))
})

describe("entitlements and roles", () => {
  it.live("an entitlement whose group, team, connection or role entitlement is missing is UnknownEntitlement", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["group:g_nope:View Destination", "group g_nope does not exist"],
        ["team:t_nope:member", "team t_nope does not exist"],
        ["connection:c_nope:View Connection", "connection c_nope does not exist"],
        ["role:Account Reviewer:holder", "role entitlements are role:<role name>:assigned"]
      ]
      for (const [entitlementId, message] of cases) {
        const refused = yield* refusal((p) => p.grant(entitlementId, user("ana")))
        assertRefused(refused, "UnknownEntitlement", [message])
      }
      // A revoke on a group, team or connection that is gone is already revoked (provisioning-grants.test.ts);
      // a malformed role entitlement is not one that is gone.
      const revoked = yield* refusal((p) => p.revoke("role:Account Reviewer:holder:user:ana"))
      assertRefused(revoked, "UnknownEntitlement", ["role entitlements are role:<role name>:assigned"])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a role name GET /v1/roles does not list is UnknownRole, listing the valid roles of the scope", () =>
    Effect.gen(function*() {
      const group = yield* refusal((p) => p.grant("group:g_main:Destination Overlord", user("ana")))
      assertRefused(group, "UnknownRole", [`"Destination Overlord" is not a role of this account`, DestinationRoles])
      // The roles are read together with the group, the user and the membership; nothing is written.
      assert.deepStrictEqual(readFirstTogether(group.requests, 4), [
        "GET /v1/groups/g_main",
        "GET /v1/roles",
        "GET /v1/users/ana",
        "GET /v1/users/ana/groups/g_main"
      ])
      // A revoke of a name no listed role is near may be of a role since removed from the list: it is
      // already revoked, as a listed role's is where another is held (a typo of a listed one is refused: below).
      const role = yield* logged(Effect.flatMap(Provisioner, (p) => p.revoke("role:Wizard:assigned:user:ana")))
      assert.deepStrictEqual(role.result, {
        _tag: "AlreadyRevoked",
        detail: "user:ana holds role:Account Reviewer:assigned there instead, which this revoke leaves in place: " +
          "revoke role:Account Reviewer:assigned:user:ana to end it",
        heldInstead: "role:Account Reviewer:assigned:user:ana",
        stillHeldThrough: []
      })
      assert.deepStrictEqual(writesIn(role.requests), [])
      const teamRole = yield* refusal((p) => p.grant("team:t_eng:Team Captain", user("ana")))
      assert.strictEqual(
        teamRole.result.message,
        `team:t_eng:Team Captain: "Team Captain" is not a role of this account; valid TEAM roles: "Team Manager", ` +
          `"Team Member"; or "member" (a member with any team role, added as Team Member)`
      )
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a role name that prints as a valid one (a no-break or zero-width space in it) names the hidden character", () =>
    Effect.gen(function*() {
      const noBreak = yield* refusal((p) => p.grant("group:g_main:View\u00a0Destination", user("ana")))
      assertRefused(noBreak, "UnknownRole", [
        `"View\u00a0Destination" is not a role of this account (it contains whitespace (U+00A0), which the quotes above do not show); `
      ])
      const zeroWidth = yield* refusal((p) => p.revoke("role:Account Reviewer\u200b:assigned:user:ana"))
      assertRefused(zeroWidth, "UnknownRole", [
        `(it contains an invisible formatting character (U+200B), which the quotes above do not show); did you mean ` +
        `"Account Reviewer"?; valid ACCOUNT roles: `
      ])
      // A plain space is how role names are written: no note.
      const spaced = yield* refusal((p) => p.grant("group:g_main:Destination Overlord", user("ana")))
      assert.notInclude(spaced.result.message, "(it contains")
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a role of another scope is WrongScope, listing the valid roles of the needed scope", () =>
    Effect.gen(function*() {
      const group = yield* refusal((p) => p.grant("group:g_main:Account Reviewer", team("t_ops")))
      assertRefused(group, "WrongScope", [
        `"Account Reviewer" has scope ACCOUNT, but this needs a role of scope DESTINATION`,
        DestinationRoles
      ])
      const role = yield* refusal((p) => p.grant("role:View Destination:assigned", user("ana")))
      assertRefused(role, "WrongScope", [`"View Destination" has scope DESTINATION`, AccountRoles])
      const connection = yield* refusal((p) => p.grant("connection:c_sf:Team Manager", user("ana")))
      assertRefused(connection, "WrongScope", [
        "needs a role of scope CONNECTOR",
        `valid CONNECTOR roles: "Manage Connection", "Edit Connection", "View Connection"`
      ])
      const teamRole = yield* refusal((p) => p.revoke("team:t_eng:Manage Connection:user:ben"))
      assertRefused(teamRole, "WrongScope", ["needs a role of scope TEAM"])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a grant the sync wrote under a role GET /v1/roles does not list (the pre-RBAC Analyst) is revoked; granting it is UnknownRole", () =>
    Effect.gen(function*() {
      const sink = yield* collectingSink
      yield* Effect.flatMap(SyncEngine, (engine) => engine.run({ syncConnections: false, concurrency: 2 })).pipe(
        Effect.provide(sink.layer),
        Effect.provide(SyncEngine.layer)
      )
      const synced = (yield* sink.rows).flatMap((row) =>
        row._tag === "GrantRow" && row.value.entitlement.slug === "Analyst" ? [row.value.id] : []
      )
      assert.deepStrictEqual(synced, ["group:g_main:Analyst:user:ana"])
      const granted = yield* refusal((p) => p.grant("group:g_main:Analyst", user("ben")))
      assertRefused(granted, "UnknownRole", [`"Analyst" is not a role of this account`, DestinationRoles])
      assert.strictEqual(yield* state.userGroup("ben", "g_main"), null)
      // Before, the revoke was refused the same way, and the legacy access a review found stayed.
      const revoked = yield* Effect.flatMap(Provisioner, (p) => p.revoke("group:g_main:Analyst:user:ana"))
      assert.deepStrictEqual(revoked, { _tag: "Revoked", stillHeldThrough: [], alsoRevoked: [] })
      assert.strictEqual(yield* state.userGroup("ana", "g_main"), null)
    }).pipe(Effect.provide(provisioningLayer({
      snapshot: { ...account, user_groups: [{ ...account.user_groups[0]!, role: "Analyst" }] }
    }))))
})

describe("derived grants", () => {
  /** A revoke's outcome, with the requests it made. */
  const revoked = (grantId: string) => logged(Effect.flatMap(Provisioner, (p) => p.revoke(grantId)))

  it.live("revoking a grant held only through a team is already revoked, naming the team grant that gives it; nothing is written", () =>
    Effect.gen(function*() {
      // cy has no membership of g_side; t_eng, of which cy is a member, holds Manage Destination on it.
      const group = yield* revoked("group:g_side:Manage Destination:user:cy")
      assert.deepStrictEqual(group.result, {
        _tag: "AlreadyRevoked",
        detail: "held only through team membership (team:t_eng:member:user:cy): revoke " +
          "group:g_side:Manage Destination:team:t_eng, or remove the user from the team, to end the access",
        stillHeldThrough: ["group:g_side:Manage Destination:team:t_eng"]
      })
      // The direct read, then the team scan (its per-team reads run concurrently: order free).
      assert.deepStrictEqual(readFirstTogether(group.requests, 4).slice(0, 5), [
        "GET /v1/groups/g_side",
        "GET /v1/roles",
        "GET /v1/users/cy",
        "GET /v1/users/cy/groups/g_side",
        "GET /v1/teams"
      ])
      assert.deepStrictEqual([...group.requests.slice(5)].sort(), [
        "GET /v1/teams/t_eng/groups/g_side",
        "GET /v1/teams/t_eng/users/cy",
        "GET /v1/teams/t_ops/groups/g_side"
      ])

      // ben has no account role; t_eng gives him Account Analyst.
      const role = yield* revoked("role:Account Analyst:assigned:user:ben")
      assert.deepStrictEqual(role.result._tag === "AlreadyRevoked" ? role.result.stillHeldThrough : [], [
        "role:Account Analyst:assigned:team:t_eng"
      ])
      const connection = yield* revoked("connection:c_pg:View Connection:user:ben")
      assert.deepStrictEqual(connection.result._tag === "AlreadyRevoked" ? connection.result.stillHeldThrough : [], [
        "connection:c_pg:View Connection:team:t_eng"
      ])
      assert.deepStrictEqual(writesIn([...group.requests, ...role.requests, ...connection.requests]), [])

      assert.strictEqual(yield* state.teamGroup("t_eng", "g_side"), "Manage Destination")
      assert.strictEqual(yield* state.userRole("ben"), null)
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a user holding another role directly keeps it when the role a team gives is revoked", () =>
    Effect.gen(function*() {
      // ana holds View Destination on g_side herself; once she joins t_eng she also reaches Manage Destination.
      const grantDirect = yield* logged(Effect.flatMap(Provisioner, (p) => p.grant("group:g_side:View Destination", user("ana"))))
      assert.strictEqual(grantDirect.result._tag, "Granted")
      const join = yield* logged(Effect.flatMap(Provisioner, (p) => p.grant("team:t_eng:member", user("ana"))))
      assert.strictEqual(join.result._tag, "Granted")
      const derived = yield* revoked("group:g_side:Manage Destination:user:ana")
      assert.deepStrictEqual(derived.result._tag === "AlreadyRevoked" ? derived.result.stillHeldThrough : [], [
        "group:g_side:Manage Destination:team:t_eng"
      ])
      assert.deepStrictEqual(writesIn(derived.requests), [])
      assert.strictEqual(yield* state.userGroup("ana", "g_side"), "View Destination")
    }).pipe(Effect.provide(provisioningLayer())))
})

describe("key permissions and upstream failures", () => {
  it.live("a system key lacking USER:MANAGE gets MissingPermission naming it; nothing changes", () =>
    Effect.gen(function*() {
      const role = yield* refusal((p) => p.grant("role:Account Analyst:assigned", user("ana")))
      assert.strictEqual(role.result._tag, "MissingPermission")
      assert.include(role.result.message, "USER:MANAGE")
      assert.include(role.result.message, "grant role:Account Analyst:assigned to user:ana")
      assert.deepStrictEqual(readFirstTogether(role.requests, 2), ["GET /v1/roles", "GET /v1/users/ana", "PATCH /v1/users/ana"])
      assert.strictEqual(yield* state.userRole("ana"), "Account Reviewer")

      const group = yield* refusal((p) => p.grant("group:g_main:View Destination", user("ben")))
      assert.strictEqual(group.result._tag, "MissingPermission")
      assert.include(group.result.message, "USER:MANAGE")

      const create = yield* refusal((p) => p.createAccount({ email: "new@example.com", given_name: "New", family_name: "Person" }))
      assert.strictEqual(create.result._tag, "MissingPermission")
      assert.include(create.result.message, "USER:MANAGE")
      assert.notInclude(create.result.message, userReadOnlyKey.secret)
      assert.strictEqual((yield* state.userIds).length, account.users.length)

      // Team writes need TEAM:MANAGE, which this key has.
      const teamGrant = yield* logged(Effect.flatMap(Provisioner, (p) => p.grant("team:t_ops:member", user("ana"))))
      assert.strictEqual(teamGrant.result._tag, "Granted")
    }).pipe(Effect.provide(provisioningLayer({ credential: userReadOnlyKey }))))

  it.live("Fivetran's 409 is Conflict with its message and no secret", () =>
    Effect.gen(function*() {
      // The sandbox refuses to demote the last Account Administrator (409).
      const demote = yield* refusal((p) => p.grant("role:Account Reviewer:assigned", user("admin")))
      assert.strictEqual(demote.result._tag, "Conflict")
      assert.strictEqual(
        demote.result.message,
        "cannot grant role:Account Reviewer:assigned to user:admin: PATCH /v1/users/admin: conflicts with the current state " +
          "(409 Conflict): User 'admin' is the last Account Administrator; the account must keep one; grant role:Account " +
          "Administrator:assigned to another user first (an account keeps at least one Account Administrator), then run this again"
      )
      assert.notInclude(demote.result.message, systemKey.secret)
      assert.strictEqual(yield* state.userRole("admin"), "Account Administrator")
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a Fivetran outage is Upstream naming the status; the same request succeeds once it recovers", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [503] })
      const down = yield* refusal((p) => p.grant("group:g_main:View Destination", user("ben")))
      assert.strictEqual(down.result._tag, "Upstream")
      assert.include(down.result.message, "cannot grant group:g_main:View Destination to user:ben")
      assert.include(down.result.message, "503")
      yield* sandbox.setFaults({})
      assert.strictEqual(yield* state.userGroup("ben", "g_main"), null)
      const retried = yield* logged(Effect.flatMap(Provisioner, (p) => p.grant("group:g_main:View Destination", user("ben"))))
      assert.strictEqual(retried.result._tag, "Granted")
      assert.strictEqual(yield* state.userGroup("ben", "g_main"), "View Destination")
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a key Fivetran rejects (401) is KeyRejected from a grant and a revoke, naming the settings, before anything is written", () =>
    Effect.gen(function*() {
      const rejected = "Fivetran rejected the API key or secret (401 Unauthorized); check the api-key and api-secret settings"
      const grant = yield* refusal((p) => p.grant("group:g_main:View Destination", user("ben")))
      assert.deepStrictEqual([grant.result._tag, grant.result.message], [
        "KeyRejected",
        `cannot grant group:g_main:View Destination to user:ben: GET /v1/roles: ${rejected}`
      ])
      // The reads made together all fail; the roles' failure is the one reported.
      assert.deepStrictEqual(readFirstTogether(grant.requests, 4), [
        "GET /v1/groups/g_main",
        "GET /v1/roles",
        "GET /v1/users/ben",
        "GET /v1/users/ben/groups/g_main"
      ])
      const revoke = yield* refusal((p) => p.revoke("group:g_main:View Destination:user:ana"))
      assert.deepStrictEqual([revoke.result._tag, revoke.result.message], [
        "KeyRejected",
        `cannot revoke group:g_main:View Destination:user:ana: GET /v1/roles: ${rejected}`
      ])
      assert.deepStrictEqual(writesIn(revoke.requests), [])
    }).pipe(Effect.provide(provisioningLayer({ credential: { key: systemKey.key, secret: "wrong-secret" } }))))

  for (const [status, title] of [[401, "Authorization Required"], [403, "Forbidden"]] as const) {
    it.scopedLive(`an HTML page answering ${status} (a proxy's, not Fivetran's) is Upstream, naming the base URL, not the key`, () =>
      Effect.gen(function*() {
        const page = `<!DOCTYPE html>\n<html><head><title>${status} ${title}</title></head><body>nginx</body></html>\n`
        const proxy = yield* scriptedServer([(response) => {
          response.writeHead(status, { "content-type": "text/html", "content-length": Buffer.byteLength(page) })
          response.end(page)
        }])
        const client = FivetranClient.layer(FivetranClientConfig.make({
          apiKey: Redacted.make(systemKey.key),
          apiSecret: Redacted.make(systemKey.secret),
          baseUrl: proxy.baseUrl,
          maxAttempts: 1
        }))
        const refused = yield* Effect.flip(Effect.flatMap(Provisioner, (p) => p.grant("group:g_main:View Destination", user("ben")))).pipe(
          Effect.provide(Provisioner.layer({ enabled: true, syncConnections: false }).pipe(Layer.provide(client)))
        )
        // Was MissingPermission for a 403 page (outcome missing_permission, routed to the key's owner).
        assert.deepStrictEqual([refused._tag, refused.message], [
          "Upstream",
          `cannot grant group:g_main:View Destination to user:ben: GET /v1/roles: the server at the base URL answered ${status} with ` +
          "an HTML page, not Fivetran's JSON: check that the base URL is Fivetran's API (https://api.fivetran.com) and that no " +
          "proxy or gateway answers in its place"
        ])
        assert.strictEqual(yield* proxy.requests, 4)
      }))
  }
})

describe("provisioning disabled", () => {
  it.live("every operation is refused with ProvisioningDisabled and nothing is contacted", () =>
    Effect.gen(function*() {
      const message = "provisioning is disabled; run with -p/--provisioning (HTTP service: --provisioning) to enable it"
      const outcomes = [
        yield* refusal((p) => p.grant("group:g_main:View Destination", user("ben"))),
        yield* refusal((p) => p.revoke("group:g_main:View Destination:user:ana")),
        yield* refusal((p) => p.createAccount({ email: "new@example.com", given_name: "New", family_name: "Person" })),
        yield* refusal((p) => p.deleteResource("user", "ana"))
      ]
      for (const outcome of outcomes) {
        assert.strictEqual(outcome.result._tag, "ProvisioningDisabled")
        assert.strictEqual(outcome.result.message, message)
      }
      const sandbox = yield* Sandbox
      assert.deepStrictEqual(yield* sandbox.requestLog, [])
    }).pipe(Effect.provide(provisioningLayer({ enabled: false }))))
})
