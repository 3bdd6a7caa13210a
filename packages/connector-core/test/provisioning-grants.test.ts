import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { type GrantOutcome, Provisioner, type ProvisioningError, SyncEngine } from "../src/index.js"
import { collectingSink } from "./support/Harness.js"
import { account, logged, provisioningLayer, readFirstTogether, state, writesIn } from "./support/ProvisioningFixture.js"

/**
 * docs/architecture.md §3, row by row, for user and team principals, against the sandbox over loopback. After
 * each action the state is read back through the sandbox's own API; repeats must be read-only.
 * The account is described in support/ProvisioningFixture.ts.
 */

const ids = (outcome: GrantOutcome) => outcome.grants.map((g) => g.id)
const user = (id: string) => ({ type: "user", id })
const team = (id: string) => ({ type: "team", id })

const grant = (entitlementId: string, principal: { type: string; id: string }) =>
  logged(Effect.flatMap(Provisioner, (p) => p.grant(entitlementId, principal)))
const revoke = (grantId: string) => logged(Effect.flatMap(Provisioner, (p) => p.revoke(grantId)))

describe("grant and revoke role:R:assigned", () => {
  it.live("to a user: PATCH /v1/users/U replaces the account role; a repeat only reads", () =>
    Effect.gen(function*() {
      const first = yield* grant("role:Account Analyst:assigned", user("ana"))
      assert.strictEqual(first.result._tag, "Granted")
      assert.deepStrictEqual(ids(first.result), ["role:Account Analyst:assigned:user:ana"])
      // One account role per user: the grant says which it replaced.
      assert.strictEqual(first.result._tag === "Granted" ? first.result.replacedRole : "", "Account Reviewer")
      assert.deepStrictEqual(readFirstTogether(first.requests, 2), ["GET /v1/roles", "GET /v1/users/ana", "PATCH /v1/users/ana"])
      assert.strictEqual(yield* state.userRole("ana"), "Account Analyst")

      const again = yield* grant("role:Account Analyst:assigned", user("ana"))
      assert.strictEqual(again.result._tag, "AlreadyExists")
      assert.deepStrictEqual(again.result.grants, first.result.grants)
      assert.deepStrictEqual(readFirstTogether(again.requests, 2), ["GET /v1/roles", "GET /v1/users/ana"])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("to a user without an account role, a custom role", () =>
    Effect.gen(function*() {
      const { requests, result } = yield* grant("role:Data Steward:assigned", user("ben"))
      assert.deepStrictEqual(ids(result), ["role:Data Steward:assigned:user:ben"])
      assert.strictEqual(result._tag === "Granted" ? result.replacedRole : "", undefined)
      assert.deepStrictEqual(writesIn(requests), ["PATCH /v1/users/ben"])
      assert.strictEqual(yield* state.userRole("ben"), "Data Steward")
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("to a team: PATCH /v1/teams/T, first role and role change; repeats only read", () =>
    Effect.gen(function*() {
      const first = yield* grant("role:Account Reviewer:assigned", team("t_ops"))
      assert.strictEqual(first.result._tag, "Granted")
      assert.deepStrictEqual(ids(first.result), ["role:Account Reviewer:assigned:team:t_ops"])
      assert.deepStrictEqual(first.result.grants[0]!.annotations, [{ _tag: "GrantExpandable", entitlementIds: ["team:t_ops:member"] }])
      assert.deepStrictEqual(readFirstTogether(first.requests, 2), ["GET /v1/roles", "GET /v1/teams/t_ops", "PATCH /v1/teams/t_ops"])
      assert.strictEqual(yield* state.teamRole("t_ops"), "Account Reviewer")

      const change = yield* grant("role:Account Billing:assigned", team("t_eng"))
      assert.strictEqual(change.result._tag, "Granted")
      assert.deepStrictEqual(writesIn(change.requests), ["PATCH /v1/teams/t_eng"])
      assert.strictEqual(yield* state.teamRole("t_eng"), "Account Billing")

      const again = yield* grant("role:Account Billing:assigned", team("t_eng"))
      assert.strictEqual(again.result._tag, "AlreadyExists")
      assert.deepStrictEqual(readFirstTogether(again.requests, 2), ["GET /v1/roles", "GET /v1/teams/t_eng"])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("revoke from a user: DELETE /v1/users/U/role only while the role is R", () =>
    Effect.gen(function*() {
      const other = yield* revoke("role:Account Billing:assigned:user:ana")
      assert.strictEqual(other.result._tag, "AlreadyRevoked")
      assert.deepStrictEqual(writesIn(other.requests), [])
      assert.strictEqual(yield* state.userRole("ana"), "Account Reviewer")

      const first = yield* revoke("role:Account Reviewer:assigned:user:ana")
      assert.strictEqual(first.result._tag, "Revoked")
      // After the write, the teams are asked whether one still gives the role (none does).
      assert.deepStrictEqual(readFirstTogether(first.requests, 2), [
        "GET /v1/roles",
        "GET /v1/users/ana",
        "DELETE /v1/users/ana/role",
        "GET /v1/teams"
      ])
      assert.strictEqual(yield* state.userRole("ana"), null)

      // No direct role left: the teams are asked whether one gives it (none does), nothing is written.
      const again = yield* revoke("role:Account Reviewer:assigned:user:ana")
      assert.strictEqual(again.result._tag, "AlreadyRevoked")
      assert.deepStrictEqual(readFirstTogether(again.requests, 2), ["GET /v1/roles", "GET /v1/users/ana", "GET /v1/teams"])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("revoke from a team: DELETE /v1/teams/T/role; a repeat and another role are already revoked", () =>
    Effect.gen(function*() {
      const other = yield* revoke("role:Account Reviewer:assigned:team:t_eng")
      assert.strictEqual(other.result._tag, "AlreadyRevoked")
      assert.deepStrictEqual(readFirstTogether(other.requests, 2), ["GET /v1/roles", "GET /v1/teams/t_eng"])

      const first = yield* revoke("role:Account Analyst:assigned:team:t_eng")
      assert.strictEqual(first.result._tag, "Revoked")
      assert.deepStrictEqual(writesIn(first.requests), ["DELETE /v1/teams/t_eng/role"])
      assert.strictEqual(yield* state.teamRole("t_eng"), null)

      const again = yield* revoke("role:Account Analyst:assigned:team:t_eng")
      assert.strictEqual(again.result._tag, "AlreadyRevoked")
      assert.deepStrictEqual(readFirstTogether(again.requests, 2), ["GET /v1/roles", "GET /v1/teams/t_eng"])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a direct role the user also reaches through a team stays revocable, and the revoke names that team", () =>
    Effect.gen(function*() {
      // cy is Account Analyst directly and through t_eng.
      const { requests, result } = yield* revoke("role:Account Analyst:assigned:user:cy")
      assert.deepStrictEqual(result, { _tag: "Revoked", stillHeldThrough: ["role:Account Analyst:assigned:team:t_eng"], alsoRevoked: [] })
      assert.deepStrictEqual(writesIn(requests), ["DELETE /v1/users/cy/role"])
      // The team scan comes after the write: the user's teams are looked up only to report them.
      assert.deepStrictEqual(requests.slice(2), ["DELETE /v1/users/cy/role", "GET /v1/teams", "GET /v1/teams/t_eng/users/cy"])
      assert.strictEqual(yield* state.userRole("cy"), null)
      // A retry finds nothing direct left: already revoked, naming the same team grant; no write.
      const retry = yield* revoke("role:Account Analyst:assigned:user:cy")
      assert.deepStrictEqual(retry.result._tag === "AlreadyRevoked" ? retry.result.stillHeldThrough : [], [
        "role:Account Analyst:assigned:team:t_eng"
      ])
      assert.deepStrictEqual(writesIn(retry.requests), [])
      // Without a team giving it, a revoke names none.
      const ana = yield* revoke("role:Account Reviewer:assigned:user:ana")
      assert.deepStrictEqual(ana.result, { _tag: "Revoked", stillHeldThrough: [], alsoRevoked: [] })
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a grant of a user or team that no longer exists is already revoked, once the account answers", () =>
    Effect.gen(function*() {
      const gone = yield* revoke("group:g_main:View Destination:user:nobody")
      assert.deepStrictEqual(gone.result, { _tag: "AlreadyRevoked", detail: "user nobody does not exist", stillHeldThrough: [] })
      assert.deepStrictEqual(writesIn(gone.requests), [])
      assert.strictEqual(gone.requests.at(-1), "GET /v1/account/info")
      const team = yield* revoke("role:Account Analyst:assigned:team:t_gone")
      assert.deepStrictEqual(team.result, { _tag: "AlreadyRevoked", detail: "team t_gone does not exist", stillHeldThrough: [] })
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("revoking a grant on a group, team or connection that no longer exists is already revoked, once the account answers", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["group:g_gone:View Destination:user:ana", "group g_gone does not exist"],
        ["group:g_gone:View Destination:team:t_eng", "group g_gone does not exist"],
        ["team:t_gone:member:user:cy", "team t_gone does not exist"],
        ["team:t_gone:Team Manager:user:ben", "team t_gone does not exist"],
        ["connection:c_gone:Edit Connection:user:ana", "connection c_gone does not exist"],
        ["connection:c_gone:View Connection:team:t_eng", "connection c_gone does not exist"],
        // Neither is there: the entitlement's resource is named, as the grant's refusal would.
        ["group:g_gone:View Destination:user:nobody", "group g_gone does not exist"]
      ]
      for (const [grantId, detail] of cases) {
        const gone = yield* revoke(grantId)
        assert.deepStrictEqual(gone.result, { _tag: "AlreadyRevoked", detail, stillHeldThrough: [] }, grantId)
        assert.deepStrictEqual(writesIn(gone.requests), [], grantId)
        assert.strictEqual(gone.requests.at(-1), "GET /v1/account/info", grantId)
      }
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("on a group, team or connection that no longer exists, a grant, a wrong role and a malformed role entitlement stay refused", () =>
    Effect.gen(function*() {
      const refused = (action: (p: Provisioner["Type"]) => Effect.Effect<unknown, ProvisioningError>) =>
        Effect.map(Effect.flip(Effect.flatMap(Provisioner, action)), (error) => [error._tag, error.message])
      assert.deepStrictEqual(yield* refused((p) => p.grant("group:g_gone:View Destination", user("ana"))), [
        "UnknownEntitlement",
        "group g_gone does not exist"
      ])
      assert.deepStrictEqual(yield* refused((p) => p.grant("team:t_gone:member", user("cy"))), [
        "UnknownEntitlement",
        "team t_gone does not exist"
      ])
      assert.deepStrictEqual(yield* refused((p) => p.grant("connection:c_gone:View Connection", team("t_eng"))), [
        "UnknownEntitlement",
        "connection c_gone does not exist"
      ])
      // A typo in the role is not "already revoked": the roles are checked before the container.
      const [unknownRole] = yield* refused((p) => p.revoke("group:g_gone:View Destinaton:user:ana"))
      assert.strictEqual(unknownRole, "UnknownRole")
      const [wrongScope] = yield* refused((p) => p.revoke("team:t_gone:View Connection:user:cy"))
      assert.strictEqual(wrongScope, "WrongScope")
      assert.deepStrictEqual(yield* refused((p) => p.revoke("role:Account Reviewer:holder:team:t_gone")), [
        "UnknownEntitlement",
        "role:Account Reviewer:holder does not exist: role entitlements are role:<role name>:assigned"
      ])
    }).pipe(Effect.provide(provisioningLayer())))
})

describe("grant and revoke group:G:<role>", () => {
  it.live("to a user: POST /v1/users/U/groups; both views of the membership agree; a repeat only reads", () =>
    Effect.gen(function*() {
      const first = yield* grant("group:g_main:View Destination", user("ben"))
      assert.strictEqual(first.result._tag, "Granted")
      assert.deepStrictEqual(ids(first.result), ["group:g_main:View Destination:user:ben"])
      assert.deepStrictEqual(readFirstTogether(first.requests, 4), [
        "GET /v1/groups/g_main",
        "GET /v1/roles",
        "GET /v1/users/ben",
        "GET /v1/users/ben/groups/g_main",
        "POST /v1/users/ben/groups"
      ])
      assert.strictEqual(yield* state.userGroup("ben", "g_main"), "View Destination")
      assert.strictEqual((yield* state.groupUsers("g_main"))["ben"], "View Destination")

      const again = yield* grant("group:g_main:View Destination", user("ben"))
      assert.strictEqual(again.result._tag, "AlreadyExists")
      assert.deepStrictEqual(again.result.grants, first.result.grants)
      assert.deepStrictEqual(readFirstTogether(again.requests, 4), readFirstTogether(first.requests, 4).slice(0, 4))
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("to a user with another role in the group: PATCH …/groups/G replaces it", () =>
    Effect.gen(function*() {
      const { requests, result } = yield* grant("group:g_main:Edit Destination", user("ana"))
      assert.strictEqual(result._tag, "Granted")
      assert.deepStrictEqual(ids(result), ["group:g_main:Edit Destination:user:ana"])
      assert.deepStrictEqual(writesIn(requests), ["PATCH /v1/users/ana/groups/g_main"])
      assert.strictEqual(yield* state.userGroup("ana", "g_main"), "Edit Destination")
      assert.strictEqual((yield* state.groupUsers("g_main"))["ana"], "Edit Destination")
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("to a team: POST /v1/teams/T/groups, then a role change with PATCH; repeats only read", () =>
    Effect.gen(function*() {
      const first = yield* grant("group:g_main:View Destination", team("t_ops"))
      assert.deepStrictEqual(ids(first.result), ["group:g_main:View Destination:team:t_ops"])
      assert.deepStrictEqual(writesIn(first.requests), ["POST /v1/teams/t_ops/groups"])
      assert.strictEqual(yield* state.teamGroup("t_ops", "g_main"), "View Destination")

      const change = yield* grant("group:g_side:View Destination", team("t_eng"))
      assert.strictEqual(change.result._tag, "Granted")
      assert.deepStrictEqual(writesIn(change.requests), ["PATCH /v1/teams/t_eng/groups/g_side"])
      assert.strictEqual(yield* state.teamGroup("t_eng", "g_side"), "View Destination")

      const again = yield* grant("group:g_side:View Destination", team("t_eng"))
      assert.strictEqual(again.result._tag, "AlreadyExists")
      assert.deepStrictEqual(writesIn(again.requests), [])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("revoke from a user: DELETE only when the role matches; another role or none is already revoked", () =>
    Effect.gen(function*() {
      const other = yield* revoke("group:g_main:Manage Destination:user:ana")
      assert.strictEqual(other.result._tag, "AlreadyRevoked")
      assert.deepStrictEqual(writesIn(other.requests), [])
      assert.strictEqual(yield* state.userGroup("ana", "g_main"), "View Destination")

      const first = yield* revoke("group:g_main:View Destination:user:ana")
      assert.strictEqual(first.result._tag, "Revoked")
      assert.deepStrictEqual(writesIn(first.requests), ["DELETE /v1/users/ana/groups/g_main"])
      assert.strictEqual(yield* state.userGroup("ana", "g_main"), null)
      // ana keeps her account role, so the group still lists her, with no group role.
      assert.strictEqual((yield* state.groupUsers("g_main"))["ana"], null)

      const again = yield* revoke("group:g_main:View Destination:user:ana")
      assert.strictEqual(again.result._tag, "AlreadyRevoked")
      // No direct membership left: the teams are asked whether one gives it (concurrently: order free).
      assert.deepStrictEqual(readFirstTogether(again.requests, 4).slice(0, 5), [
        "GET /v1/groups/g_main",
        "GET /v1/roles",
        "GET /v1/users/ana",
        "GET /v1/users/ana/groups/g_main",
        "GET /v1/teams"
      ])
      assert.deepStrictEqual([...again.requests.slice(5)].sort(), [
        "GET /v1/teams/t_eng/groups/g_main",
        "GET /v1/teams/t_ops/groups/g_main"
      ])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("revoke from a team: DELETE /v1/teams/T/groups/G; repeats are already revoked", () =>
    Effect.gen(function*() {
      const other = yield* revoke("group:g_side:View Destination:team:t_eng")
      assert.strictEqual(other.result._tag, "AlreadyRevoked")
      assert.strictEqual(yield* state.teamGroup("t_eng", "g_side"), "Manage Destination")

      const first = yield* revoke("group:g_side:Manage Destination:team:t_eng")
      assert.strictEqual(first.result._tag, "Revoked")
      assert.deepStrictEqual(writesIn(first.requests), ["DELETE /v1/teams/t_eng/groups/g_side"])
      assert.strictEqual(yield* state.teamGroup("t_eng", "g_side"), null)

      const again = yield* revoke("group:g_side:Manage Destination:team:t_eng")
      assert.strictEqual(again.result._tag, "AlreadyRevoked")
      assert.deepStrictEqual(readFirstTogether(again.requests, 4), [
        "GET /v1/groups/g_side",
        "GET /v1/roles",
        "GET /v1/teams/t_eng",
        "GET /v1/teams/t_eng/groups/g_side"
      ])
    }).pipe(Effect.provide(provisioningLayer())))
})

describe("grant and revoke team:T:member and team:T:<role>", () => {
  it.live("member to a non-member: POST /v1/teams/T/users as Team Member; a repeat only reads", () =>
    Effect.gen(function*() {
      const first = yield* grant("team:t_ops:member", user("ana"))
      assert.strictEqual(first.result._tag, "Granted")
      assert.deepStrictEqual(ids(first.result), ["team:t_ops:member:user:ana", "team:t_ops:Team Member:user:ana"])
      assert.deepStrictEqual(readFirstTogether(first.requests, 4), [
        "GET /v1/roles",
        "GET /v1/teams/t_ops",
        "GET /v1/teams/t_ops/users/ana",
        "GET /v1/users/ana",
        "POST /v1/teams/t_ops/users"
      ])
      assert.deepStrictEqual(yield* state.teamUsers("t_ops"), { ana: "Team Member" })

      const again = yield* grant("team:t_ops:member", user("ana"))
      assert.strictEqual(again.result._tag, "AlreadyExists")
      assert.deepStrictEqual(again.result.grants, first.result.grants)
      assert.deepStrictEqual(readFirstTogether(again.requests, 4), readFirstTogether(first.requests, 4).slice(0, 4))
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("member to a Team Manager: already exists, with the grants held, no write", () =>
    Effect.gen(function*() {
      const { requests, result } = yield* grant("team:t_eng:member", user("ben"))
      assert.strictEqual(result._tag, "AlreadyExists")
      assert.deepStrictEqual(ids(result), ["team:t_eng:member:user:ben", "team:t_eng:Team Manager:user:ben"])
      assert.deepStrictEqual(writesIn(requests), [])
      assert.strictEqual(yield* state.teamUser("t_eng", "ben"), "Team Manager")
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a team role: PATCH changes a member's role, POST adds a non-member with it", () =>
    Effect.gen(function*() {
      const change = yield* grant("team:t_eng:Team Manager", user("cy"))
      assert.strictEqual(change.result._tag, "Granted")
      assert.deepStrictEqual(ids(change.result), ["team:t_eng:member:user:cy", "team:t_eng:Team Manager:user:cy"])
      assert.deepStrictEqual(writesIn(change.requests), ["PATCH /v1/teams/t_eng/users/cy"])
      assert.deepStrictEqual(yield* state.teamUsers("t_eng"), { cy: "Team Manager", ben: "Team Manager" })

      const add = yield* grant("team:t_ops:Team Manager", user("dee"))
      assert.deepStrictEqual(writesIn(add.requests), ["POST /v1/teams/t_ops/users"])
      assert.strictEqual(yield* state.teamUser("t_ops", "dee"), "Team Manager")

      const again = yield* grant("team:t_ops:Team Manager", user("dee"))
      assert.strictEqual(again.result._tag, "AlreadyExists")
      assert.deepStrictEqual(writesIn(again.requests), [])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("revoke member: DELETE /v1/teams/T/users/U whatever the role; a repeat is already revoked", () =>
    Effect.gen(function*() {
      const first = yield* revoke("team:t_eng:member:user:ben")
      assert.strictEqual(first.result._tag, "Revoked")
      assert.deepStrictEqual(writesIn(first.requests), ["DELETE /v1/teams/t_eng/users/ben"])
      assert.deepStrictEqual(yield* state.teamUsers("t_eng"), { cy: "Team Member" })

      const again = yield* revoke("team:t_eng:member:user:ben")
      assert.strictEqual(again.result._tag, "AlreadyRevoked")
      assert.deepStrictEqual(readFirstTogether(again.requests, 4), [
        "GET /v1/roles",
        "GET /v1/teams/t_eng",
        "GET /v1/teams/t_eng/users/ben",
        "GET /v1/users/ben"
      ])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("revoke a team role: DELETE only when it is the member's current role", () =>
    Effect.gen(function*() {
      const other = yield* revoke("team:t_eng:Team Manager:user:cy")
      assert.strictEqual(other.result._tag, "AlreadyRevoked")
      assert.deepStrictEqual(writesIn(other.requests), [])
      assert.strictEqual(yield* state.teamUser("t_eng", "cy"), "Team Member")

      const first = yield* revoke("team:t_eng:Team Member:user:cy")
      assert.strictEqual(first.result._tag, "Revoked")
      assert.deepStrictEqual(writesIn(first.requests), ["DELETE /v1/teams/t_eng/users/cy"])
      assert.strictEqual(yield* state.teamUser("t_eng", "cy"), null)
    }).pipe(Effect.provide(provisioningLayer())))
})

describe("grant and revoke connection:C:<role>", () => {
  it.live("to a user: POST /v1/users/U/connections, a role change with PATCH; repeats only read", () =>
    Effect.gen(function*() {
      const first = yield* grant("connection:c_sf:View Connection", user("ben"))
      assert.strictEqual(first.result._tag, "Granted")
      assert.deepStrictEqual(ids(first.result), ["connection:c_sf:View Connection:user:ben"])
      assert.deepStrictEqual(readFirstTogether(first.requests, 4), [
        "GET /v1/connections",
        "GET /v1/roles",
        "GET /v1/users/ben",
        "GET /v1/users/ben/connections/c_sf",
        "POST /v1/users/ben/connections"
      ])
      assert.strictEqual(yield* state.userConnection("ben", "c_sf"), "View Connection")

      const again = yield* grant("connection:c_sf:View Connection", user("ben"))
      assert.strictEqual(again.result._tag, "AlreadyExists")
      assert.deepStrictEqual(readFirstTogether(again.requests, 4), readFirstTogether(first.requests, 4).slice(0, 4))

      const change = yield* grant("connection:c_sf:Manage Connection", user("ana"))
      assert.strictEqual(change.result._tag, "Granted")
      assert.deepStrictEqual(writesIn(change.requests), ["PATCH /v1/users/ana/connections/c_sf"])
      assert.strictEqual(yield* state.userConnection("ana", "c_sf"), "Manage Connection")
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("to a team: POST /v1/teams/T/connections, a role change with PATCH", () =>
    Effect.gen(function*() {
      const first = yield* grant("connection:c_sf:Manage Connection", team("t_ops"))
      assert.deepStrictEqual(ids(first.result), ["connection:c_sf:Manage Connection:team:t_ops"])
      assert.deepStrictEqual(writesIn(first.requests), ["POST /v1/teams/t_ops/connections"])
      assert.strictEqual(yield* state.teamConnection("t_ops", "c_sf"), "Manage Connection")

      const change = yield* grant("connection:c_pg:Edit Connection", team("t_eng"))
      assert.deepStrictEqual(writesIn(change.requests), ["PATCH /v1/teams/t_eng/connections/c_pg"])
      assert.strictEqual(yield* state.teamConnection("t_eng", "c_pg"), "Edit Connection")

      const again = yield* grant("connection:c_pg:Edit Connection", team("t_eng"))
      assert.strictEqual(again.result._tag, "AlreadyExists")
      assert.deepStrictEqual(writesIn(again.requests), [])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("revoke from a user and a team: DELETE when the role matches; otherwise already revoked", () =>
    Effect.gen(function*() {
      const other = yield* revoke("connection:c_sf:View Connection:user:ana")
      assert.strictEqual(other.result._tag, "AlreadyRevoked")
      assert.strictEqual(yield* state.userConnection("ana", "c_sf"), "Edit Connection")

      const fromUser = yield* revoke("connection:c_sf:Edit Connection:user:ana")
      assert.strictEqual(fromUser.result._tag, "Revoked")
      assert.deepStrictEqual(writesIn(fromUser.requests), ["DELETE /v1/users/ana/connections/c_sf"])
      assert.strictEqual(yield* state.userConnection("ana", "c_sf"), null)

      const fromTeam = yield* revoke("connection:c_pg:View Connection:team:t_eng")
      assert.strictEqual(fromTeam.result._tag, "Revoked")
      assert.deepStrictEqual(writesIn(fromTeam.requests), ["DELETE /v1/teams/t_eng/connections/c_pg"])
      assert.strictEqual(yield* state.teamConnection("t_eng", "c_pg"), null)

      for (const grantId of ["connection:c_sf:Edit Connection:user:ana", "connection:c_pg:View Connection:team:t_eng"]) {
        const again = yield* revoke(grantId)
        assert.strictEqual(again.result._tag, "AlreadyRevoked", grantId)
        assert.deepStrictEqual(writesIn(again.requests), [], grantId)
      }
    }).pipe(Effect.provide(provisioningLayer())))
})

describe("returned grants", () => {
  /** Syncs the sandbox as it is now and returns its grant rows by id. */
  const syncedGrants = (syncConnections: boolean) =>
    Effect.gen(function*() {
      const sink = yield* collectingSink
      const engine = yield* SyncEngine
      yield* engine.run({ syncConnections, concurrency: 2 }).pipe(Effect.provide(sink.layer))
      const rows = yield* sink.rows
      return new Map(rows.flatMap((row) => (row._tag === "GrantRow" ? [[row.value.id, row.value] as const] : [])))
    }).pipe(Effect.provide(SyncEngine.layer))

  it.live("are exactly the rows the next sync emits for them", () =>
    Effect.gen(function*() {
      const outcomes = [
        yield* grant("group:g_main:View Destination", user("ben")),
        yield* grant("role:Account Reviewer:assigned", team("t_ops")),
        yield* grant("team:t_ops:member", user("dee")),
        yield* grant("connection:c_sf:View Connection", user("ben")),
        yield* grant("group:g_main:Manage Destination", team("t_ops"))
      ]
      const synced = yield* syncedGrants(true)
      for (const { result } of outcomes) {
        assert.strictEqual(result._tag, "Granted")
        for (const granted of result.grants) assert.deepStrictEqual(granted, synced.get(granted.id), granted.id)
      }
    }).pipe(Effect.provide(provisioningLayer({ syncConnections: true }))))
})

describe("custom role names with ':'", () => {
  const custom = (name: string, scope: "ACCOUNT" | "DESTINATION") => ({
    name,
    description: "Custom",
    is_custom: true,
    scope: [scope],
    is_deprecated: false,
    replacement_role_name: null
  })
  const withColons = { ...account, roles: [...account.roles, custom("Ops: EU Reader", "DESTINATION"), custom("Audit: Read", "ACCOUNT")] }

  it.live("grant and revoke the ids a sync prints for them: the role name stays whole", () =>
    Effect.gen(function*() {
      const group = yield* grant("group:g_main:Ops: EU Reader", user("ben"))
      assert.deepStrictEqual(ids(group.result), ["group:g_main:Ops: EU Reader:user:ben"])
      assert.strictEqual(yield* state.userGroup("ben", "g_main"), "Ops: EU Reader")
      const revoked = yield* revoke("group:g_main:Ops: EU Reader:user:ben")
      assert.deepStrictEqual(revoked.result, { _tag: "Revoked", stillHeldThrough: [], alsoRevoked: [] })
      assert.strictEqual(yield* state.userGroup("ben", "g_main"), null)

      // An account role's id is its name, so there the slug is what follows the last ':'.
      const role = yield* grant("role:Audit: Read:assigned", user("ben"))
      assert.deepStrictEqual(ids(role.result), ["role:Audit: Read:assigned:user:ben"])
      assert.strictEqual(yield* state.userRole("ben"), "Audit: Read")
    }).pipe(Effect.provide(provisioningLayer({ snapshot: withColons }))))
})
