import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { Provisioner, type ProvisioningError } from "../src/index.js"
import { answeredWrites, at, meanwhile } from "./support/Meanwhile.js"
import { clearLog, provisioningLayer, state } from "./support/ProvisioningFixture.js"

/**
 * A write Fivetran answered 5xx, or whose answer never came, may have been made: Fivetran can fail
 * after acting. The provisioner reads the access back and says which. Before, each was Upstream
 * "cannot grant ...: Fivetran answered 500", read as not done, though a timed-out grant was there.
 */

const user = (id: string) => ({ type: "user", id })
const provisioner = <A, E>(action: (p: Provisioner["Type"]) => Effect.Effect<A, E>) => Effect.flatMap(Provisioner, action)

/** The refusal as `[tag, message]`; an outcome as its tag. */
const refusal = <A extends { readonly _tag: string }>(action: Effect.Effect<A, ProvisioningError, Provisioner>) =>
  Effect.map(Effect.either(action), Either.match({ onLeft: (error) => [error._tag, error.message], onRight: (outcome) => [outcome._tag] }))

const notMade = "; read back: the change was not made; retrying is safe (it reads before it writes)"
const answered500 = (action: string, request: string) => ["Upstream", `cannot ${action}: ${request}: Fivetran answered 500${notMade}`]

const zoe = { email: "zoe@example.com", given_name: "Zoe", family_name: "Quinn" }

describe("a write Fivetran answered 5xx", () => {
  it.live("is a refusal saying the read-back found it not made (POST, PATCH, DELETE); nothing changed", () =>
    Effect.gen(function*() {
      yield* Effect.flatMap(Sandbox, (sandbox) =>
        sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [500], methods: ["POST", "PATCH", "DELETE"] }))
      yield* clearLog
      const refusals = [
        yield* refusal(provisioner((p) =>
          p.grant("group:g_side:View Destination", user("ben"))
        )),
        yield* refusal(provisioner((p) => p.grant("team:t_ops:member", user("ana")))),
        yield* refusal(provisioner((p) => p.grant("role:Account Analyst:assigned", user("ana")))),
        yield* refusal(provisioner((p) => p.revoke("group:g_main:View Destination:user:ana"))),
        yield* refusal(provisioner((p) => p.createAccount(zoe))),
        yield* refusal(provisioner((p) => p.deleteResource("user", "dee")))
      ]
      yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.setFaults({}))
      assert.deepStrictEqual(refusals, [
        answered500("grant group:g_side:View Destination to user:ben", "POST /v1/users/ben/groups"),
        answered500("grant team:t_ops:member to user:ana", "POST /v1/teams/t_ops/users"),
        answered500("grant role:Account Analyst:assigned to user:ana", "PATCH /v1/users/ana"),
        answered500("revoke group:g_main:View Destination:user:ana", "DELETE /v1/users/ana/groups/g_main"),
        answered500("create an account for zoe@example.com", "POST /v1/users"),
        answered500("delete user:dee", "DELETE /v1/users/dee")
      ])
      assert.deepStrictEqual(yield* answeredWrites, [
        "POST /v1/users/ben/groups 500",
        "POST /v1/teams/t_ops/users 500",
        "PATCH /v1/users/ana 500",
        "DELETE /v1/users/ana/groups/g_main 500",
        "POST /v1/users 500",
        "DELETE /v1/users/dee 500"
      ])
      assert.deepStrictEqual(
        [
          yield* state.userGroup("ben", "g_side"),
          yield* state.teamUser("t_ops", "ana"),
          yield* state.userRole("ana"),
          yield* state.userGroup("ana", "g_main"),
          yield* state.userIds
        ],
        [null, null, "Account Reviewer", "View Destination", ["admin", "ana", "ben", "cy", "dee"]]
      )
    }).pipe(Effect.provide(provisioningLayer())))
})

/** The provisioner over a sandbox, with a client that tries once and gives up on an answer after one second. */
const withOneSecondDeadline = provisioningLayer({ client: { maxAttempts: 1, requestTimeoutSeconds: 1 } })

/** Fivetran makes the change (through its API, while the request is held), then answers too late. */
const madeThenLate = (request: string, change: (client: FivetranClient["Type"]) => Effect.Effect<unknown, unknown>) =>
  meanwhile(at(request, Effect.zipRight(Effect.orDie(Effect.flatMap(FivetranClient, change)), Effect.sleep("1500 millis"))))

describe("a write made whose answer never came", () => {
  it.live("a grant, a revoke, an invitation and a delete are reported made, once the read-back finds them", () =>
    Effect.gen(function*() {
      yield* madeThenLate("POST /v1/users/ben/groups", (c) => c.userGroups.add("ben", { id: "g_side", role: "View Destination" }))
      const granted = yield* provisioner((p) => p.grant("group:g_side:View Destination", user("ben")))
      yield* madeThenLate("DELETE /v1/users/ana/groups/g_main", (c) => c.userGroups.remove("ana", "g_main"))
      const revoked = yield* provisioner((p) => p.revoke("group:g_main:View Destination:user:ana"))
      let invited = ""
      yield* madeThenLate("POST /v1/users", (c) => Effect.map(c.inviteUser(zoe), (u) => (invited = u.id)))
      const created = yield* provisioner((p) => p.createAccount(zoe))
      yield* madeThenLate("DELETE /v1/users/dee", (c) => c.deleteUser("dee"))
      const deleted = yield* provisioner((p) => p.deleteResource("user", "dee"))
      assert.deepStrictEqual(
        [granted._tag, granted.grants.map((grant) => grant.id), revoked._tag, created._tag, created.resource.id, deleted._tag],
        [
          "Granted",
          ["group:g_side:View Destination:user:ben"],
          "Revoked",
          "Created",
          { resourceType: "user", resource: invited },
          "Deleted"
        ]
      )
      assert.deepStrictEqual(
        [yield* state.userGroup("ben", "g_side"), yield* state.userGroup("ana", "g_main"), (yield* state.userIds).includes("dee")],
        ["View Destination", null, false]
      )
    }).pipe(Effect.provide(withOneSecondDeadline)))
})
