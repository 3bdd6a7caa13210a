import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { type GrantOutcome, Provisioner, type ProvisioningError, userResource } from "../src/index.js"
import { answeredWrites, at, type Interjection, meanwhile } from "./support/Meanwhile.js"
import { clearLog, provisioningLayer, state } from "./support/ProvisioningFixture.js"

/**
 * Every write is decided by a read just before it; another admin (or a second process) may change
 * the access in between. The sandbox holds the write while the change is made through its API
 * (support/Meanwhile.ts), so each race happens every run. The account is described in
 * support/ProvisioningFixture.ts.
 */

const user = (id: string) => ({ type: "user", id })
const team = (id: string) => ({ type: "team", id })

const other = <A, E>(change: (client: FivetranClient["Type"]) => Effect.Effect<A, E>) => Effect.flatMap(FivetranClient, change)

/** Runs `action` with `interjections` armed, on a cleared log: its result, and the writes the sandbox answered. */
const raced = <A, E>(action: Effect.Effect<A, E, Provisioner>, ...interjections: ReadonlyArray<Interjection>) =>
  Effect.gen(function*() {
    yield* clearLog
    yield* meanwhile(...interjections)
    const result = yield* Effect.either(action)
    return { result, writes: yield* answeredWrites }
  })

const revoke = (grantId: string) => Effect.flatMap(Provisioner, (p) => p.revoke(grantId))
const grant = (entitlementId: string, principal: { type: string; id: string }) =>
  Effect.flatMap(Provisioner, (p) => p.grant(entitlementId, principal))

const succeeded = <A, E>(result: Either.Either<A, E>): A =>
  Either.getOrThrowWith(result, (error) => new Error(`expected an outcome, got ${String(error)}`))

/** A grant's outcome as its kind and the ids of the grants it holds. */
const held = (outcome: GrantOutcome) => [outcome._tag, outcome.grants.map((g) => g.id)]

/** A grant's outcome as its kind and the role it replaced. */
const replaced = (outcome: GrantOutcome) => [outcome._tag, outcome._tag === "Granted" ? outcome.replacedRole : "none"]

/** The refusal as `[tag, message]`. */
const refused = <A>(result: Either.Either<A, ProvisioningError>) =>
  Either.match(result, {
    onLeft: (error) => [error._tag, error.message],
    onRight: (outcome) => assert.fail(`expected a refusal, got ${JSON.stringify(outcome)}`)
  })

describe("a revoke whose DELETE finds the access already gone is already revoked", () => {
  it.live("the membership removed meanwhile (user and team principals)", () =>
    Effect.gen(function*() {
      const fromUser = yield* raced(
        revoke("group:g_main:View Destination:user:ana"),
        at("DELETE /v1/users/ana/groups/g_main", other((c) => c.userGroups.remove("ana", "g_main")))
      )
      assert.deepStrictEqual(succeeded(fromUser.result), {
        _tag: "AlreadyRevoked",
        detail: undefined,
        stillHeldThrough: []
      })
      assert.deepStrictEqual(fromUser.writes, [
        "DELETE /v1/users/ana/groups/g_main 200",
        "DELETE /v1/users/ana/groups/g_main 404"
      ])

      const fromTeam = yield* raced(
        revoke("group:g_side:Manage Destination:team:t_eng"),
        at("DELETE /v1/teams/t_eng/groups/g_side", other((c) => c.teamGroups.remove("t_eng", "g_side")))
      )
      assert.deepStrictEqual(succeeded(fromTeam.result), {
        _tag: "AlreadyRevoked",
        detail: undefined,
        stillHeldThrough: []
      })
      assert.deepStrictEqual(fromTeam.writes, [
        "DELETE /v1/teams/t_eng/groups/g_side 200",
        "DELETE /v1/teams/t_eng/groups/g_side 404"
      ])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("its group, team or user deleted meanwhile: already revoked, naming what is gone", () =>
    Effect.gen(function*() {
      const cases = [
        {
          grantId: "group:g_main:View Destination:user:ana",
          interjection: at("DELETE /v1/users/ana/groups/g_main", other((c) => c.deleteGroup("g_main"))),
          detail: "group g_main does not exist",
          writes: ["DELETE /v1/groups/g_main 200", "DELETE /v1/users/ana/groups/g_main 404"]
        },
        {
          grantId: "connection:c_sf:Edit Connection:user:ana",
          interjection: at("DELETE /v1/users/ana/connections/c_sf", other((c) => c.deleteUser("ana"))),
          detail: "user ana does not exist",
          writes: ["DELETE /v1/users/ana 200", "DELETE /v1/users/ana/connections/c_sf 404"]
        },
        {
          grantId: "team:t_eng:member:user:cy",
          interjection: at("DELETE /v1/teams/t_eng/users/cy", other((c) => c.deleteTeam("t_eng"))),
          detail: "team t_eng does not exist",
          writes: ["DELETE /v1/teams/t_eng 200", "DELETE /v1/teams/t_eng/users/cy 404"]
        }
      ]
      for (const { detail, grantId, interjection, writes } of cases) {
        const run = yield* raced(revoke(grantId), interjection).pipe(Effect.provide(provisioningLayer()))
        assert.deepStrictEqual(succeeded(run.result), { _tag: "AlreadyRevoked", detail, stillHeldThrough: [] }, grantId)
        assert.deepStrictEqual(run.writes, writes, grantId)
      }
    }))

  it.live("an account role whose user or team is deleted meanwhile", () =>
    Effect.gen(function*() {
      const fromUser = yield* raced(
        revoke("role:Account Reviewer:assigned:user:dee"),
        at("DELETE /v1/users/dee/role", other((c) => c.deleteUser("dee")))
      )
      assert.deepStrictEqual(succeeded(fromUser.result), {
        _tag: "AlreadyRevoked",
        detail: "user dee does not exist",
        stillHeldThrough: []
      })
      assert.deepStrictEqual(fromUser.writes, ["DELETE /v1/users/dee 200", "DELETE /v1/users/dee/role 404"])

      const fromTeam = yield* raced(
        revoke("role:Account Analyst:assigned:team:t_eng"),
        at("DELETE /v1/teams/t_eng/role", other((c) => c.deleteTeam("t_eng")))
      )
      assert.deepStrictEqual(succeeded(fromTeam.result), {
        _tag: "AlreadyRevoked",
        detail: "team t_eng does not exist",
        stillHeldThrough: []
      })
      assert.deepStrictEqual(fromTeam.writes, ["DELETE /v1/teams/t_eng 200", "DELETE /v1/teams/t_eng/role 404"])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("the access changing again under the second decision is reported, not retried without end", () =>
    Effect.gen(function*() {
      const run = yield* raced(
        revoke("group:g_main:View Destination:user:ana"),
        at("DELETE /v1/users/ana/groups/g_main", other((c) => c.userGroups.remove("ana", "g_main"))),
        at(
          "GET /v1/users/ana/groups/g_main",
          other((c) => c.userGroups.add("ana", { id: "g_main", role: "View Destination" }))
        ),
        at("DELETE /v1/users/ana/groups/g_main", other((c) => c.userGroups.remove("ana", "g_main")))
      )
      assert.deepStrictEqual(refused(run.result), [
        "NotFound",
        "cannot revoke group:g_main:View Destination:user:ana: DELETE /v1/users/ana/groups/g_main: " +
        "not found (404 NotFound): 'ana' has no membership in 'g_main'"
      ])
      assert.deepStrictEqual(run.writes, [
        "DELETE /v1/users/ana/groups/g_main 200",
        "DELETE /v1/users/ana/groups/g_main 404",
        "POST /v1/users/ana/groups 201",
        "DELETE /v1/users/ana/groups/g_main 200",
        "DELETE /v1/users/ana/groups/g_main 404"
      ])
    }).pipe(Effect.provide(provisioningLayer())))
})

describe("a grant whose write meets a membership added meanwhile", () => {
  it.live("with the role asked for: already exists (group, team, connection)", () =>
    Effect.gen(function*() {
      const group = yield* raced(
        grant("group:g_main:Edit Destination", user("ben")),
        at("POST /v1/users/ben/groups", other((c) => c.userGroups.add("ben", { id: "g_main", role: "Edit Destination" })))
      )
      assert.deepStrictEqual(held(succeeded(group.result)), [
        "AlreadyExists",
        ["group:g_main:Edit Destination:user:ben"]
      ])
      assert.deepStrictEqual(group.writes, ["POST /v1/users/ben/groups 201", "POST /v1/users/ben/groups 409"])

      // team:T:member asks for membership with any role: a Team Manager added meanwhile has it.
      const member = yield* raced(
        grant("team:t_ops:member", user("dee")),
        at("POST /v1/teams/t_ops/users", other((c) => c.addTeamUser("t_ops", { user_id: "dee", role: "Team Manager" })))
      )
      assert.deepStrictEqual(held(succeeded(member.result)), [
        "AlreadyExists",
        ["team:t_ops:member:user:dee", "team:t_ops:Team Manager:user:dee"]
      ])
      assert.deepStrictEqual(member.writes, ["POST /v1/teams/t_ops/users 201", "POST /v1/teams/t_ops/users 409"])

      const connection = yield* raced(
        grant("connection:c_sf:Manage Connection", team("t_ops")),
        at(
          "POST /v1/teams/t_ops/connections",
          other((c) => c.teamConnections.add("t_ops", { id: "c_sf", role: "Manage Connection" }))
        )
      )
      assert.deepStrictEqual(held(succeeded(connection.result)), [
        "AlreadyExists",
        ["connection:c_sf:Manage Connection:team:t_ops"]
      ])
      assert.deepStrictEqual(connection.writes, ["POST /v1/teams/t_ops/connections 201", "POST /v1/teams/t_ops/connections 409"])
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("with another role: changed to the role asked for, naming the role it replaced", () =>
    Effect.gen(function*() {
      const group = yield* raced(
        grant("group:g_main:Edit Destination", user("ben")),
        at("POST /v1/users/ben/groups", other((c) => c.userGroups.add("ben", { id: "g_main", role: "View Destination" })))
      )
      assert.deepStrictEqual(held(succeeded(group.result)), ["Granted", ["group:g_main:Edit Destination:user:ben"]])
      assert.deepStrictEqual(replaced(succeeded(group.result)), ["Granted", "View Destination"])
      assert.deepStrictEqual(group.writes, [
        "POST /v1/users/ben/groups 201",
        "POST /v1/users/ben/groups 409",
        "PATCH /v1/users/ben/groups/g_main 200"
      ])
      assert.strictEqual(yield* state.userGroup("ben", "g_main"), "Edit Destination")

      const teamRole = yield* raced(
        grant("team:t_ops:Team Manager", user("dee")),
        at("POST /v1/teams/t_ops/users", other((c) => c.addTeamUser("t_ops", { user_id: "dee", role: "Team Member" })))
      )
      assert.deepStrictEqual(replaced(succeeded(teamRole.result)), [
        "Granted",
        "Team Member"
      ])
      assert.deepStrictEqual(teamRole.writes, [
        "POST /v1/teams/t_ops/users 201",
        "POST /v1/teams/t_ops/users 409",
        "PATCH /v1/teams/t_ops/users/dee 200"
      ])
      assert.deepStrictEqual(yield* state.teamUsers("t_ops"), { dee: "Team Manager" })
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a role change whose membership was removed meanwhile adds it instead", () =>
    Effect.gen(function*() {
      const run = yield* raced(
        grant("group:g_main:Edit Destination", user("ana")),
        at("PATCH /v1/users/ana/groups/g_main", other((c) => c.userGroups.remove("ana", "g_main")))
      )
      assert.deepStrictEqual(replaced(succeeded(run.result)), [
        "Granted",
        undefined
      ])
      assert.deepStrictEqual(run.writes, [
        "DELETE /v1/users/ana/groups/g_main 200",
        "PATCH /v1/users/ana/groups/g_main 404",
        "POST /v1/users/ana/groups 201"
      ])
      assert.strictEqual(yield* state.userGroup("ana", "g_main"), "Edit Destination")
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a principal deleted meanwhile stays a refusal: UnknownPrincipal, as if it had been gone before", () =>
    Effect.gen(function*() {
      const membership = yield* raced(
        grant("group:g_main:View Destination", user("ben")),
        at("POST /v1/users/ben/groups", other((c) => c.deleteUser("ben")))
      )
      assert.deepStrictEqual(refused(membership.result), [
        "UnknownPrincipal",
        "user ben does not exist"
      ])
      assert.deepStrictEqual(membership.writes, ["DELETE /v1/users/ben 200", "POST /v1/users/ben/groups 404"])

      const accountRole = yield* raced(
        grant("role:Account Analyst:assigned", team("t_ops")),
        at("PATCH /v1/teams/t_ops", other((c) => c.deleteTeam("t_ops")))
      )
      assert.deepStrictEqual(refused(accountRole.result), [
        "UnknownPrincipal",
        "team t_ops does not exist"
      ])
      assert.deepStrictEqual(accountRole.writes, ["DELETE /v1/teams/t_ops 200", "PATCH /v1/teams/t_ops 404"])
    }).pipe(Effect.provide(provisioningLayer())))
})

describe("accounts", () => {
  it.live("an invitation of an email invited meanwhile is already exists with that user; with another role, Conflict", () =>
    Effect.gen(function*() {
      const same = yield* raced(
        Effect.flatMap(Provisioner, (p) => p.createAccount({ email: "zoe@example.com", given_name: "Zoe", family_name: "Q" })),
        at("POST /v1/users", other((c) => c.inviteUser({ email: "Zoe@example.com", given_name: "Zoe", family_name: "Quinn" })))
      )
      const created = succeeded(same.result)
      assert.strictEqual(created._tag, "AlreadyExists")
      const zoe = yield* other((c) => Effect.orDie(c.getUser(created.resource.id.resource)))
      assert.deepStrictEqual([zoe.email, created.resource], ["Zoe@example.com", userResource(zoe)])
      assert.deepStrictEqual(same.writes, ["POST /v1/users 201", "POST /v1/users 409"])

      const role = yield* raced(
        Effect.flatMap(
          Provisioner,
          (p) => p.createAccount({ email: "yan@example.com", given_name: "Yan", family_name: "Li", role: "Account Analyst" })
        ),
        at("POST /v1/users", other((c) => c.inviteUser({ email: "yan@example.com", given_name: "Yan", family_name: "Li" })))
      )
      const [tag, message] = refused(role.result)
      assert.strictEqual(tag, "Conflict")
      assert.match(
        message!,
        /^cannot create an account for yan@example\.com: it already exists \(user:\w+\) with no account role, not Account Analyst; grant role:Account Analyst:assigned to change it$/
      )
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("a user deleted meanwhile by someone else: does not exist", () =>
    Effect.gen(function*() {
      const run = yield* raced(
        Effect.flatMap(Provisioner, (p) => p.deleteResource("user", "dee")),
        at("DELETE /v1/users/dee", other((c) => c.deleteUser("dee")))
      )
      assert.deepStrictEqual(succeeded(run.result), { _tag: "DoesNotExist" })
      assert.deepStrictEqual(run.writes, ["DELETE /v1/users/dee 200", "DELETE /v1/users/dee 404"])
    }).pipe(Effect.provide(provisioningLayer())))
})
