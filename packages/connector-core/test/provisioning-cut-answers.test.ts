import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Stream } from "effect"
import { Provisioner } from "../src/index.js"
import { provisioningLayer, state } from "./support/ProvisioningFixture.js"

/**
 * A write Fivetran answered 2xx whose body was cut off in transit (a proxy, a dropped connection):
 * the write was made, and the outcome says so. Before, a grant or an invitation failed as Upstream
 * although made, and a delete or revoke, repeated, reported its own change as found done.
 */

/** The sandbox cuts every write's answer in half; reads pass whole. */
const cutWriteAnswers = Effect.flatMap(Sandbox, (sandbox) => sandbox.setFaults({ truncatedShare: 1, methods: ["POST", "PATCH", "DELETE"] }))

/** The writes the sandbox answered, as `METHOD /path status fault`. */
const writes = Effect.flatMap(Sandbox, (sandbox) =>
  Effect.map(
    sandbox.requestLog,
    (log) => log.filter((entry) => entry.method !== "GET").map((entry) => `${entry.method} ${entry.path} ${entry.status} ${entry.fault}`)
  ))

const provisioner = <A, E>(action: (p: Provisioner["Type"]) => Effect.Effect<A, E>) => Effect.flatMap(Provisioner, action)

/**
 * Invites zoe@example.com and deletes dee under the faults set, then clears them: both outcomes, and
 * the user the account lists with Zoe's email (read without faults).
 */
const inviteZoeThenDeleteDee = Effect.gen(function*() {
  const created = yield* provisioner((p) => p.createAccount({ email: "zoe@example.com", given_name: "Zoe", family_name: "Quinn" }))
  const deleted = yield* provisioner((p) => p.deleteResource("user", "dee"))
  yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.setFaults({}))
  const zoe = yield* Effect.flatMap(
    FivetranClient,
    (client) => Effect.orDie(Stream.runHead(Stream.filter(client.listUsers, (u) => u.email === "zoe@example.com")))
  )
  return { created, deleted, zoe }
})

describe("a write whose 2xx answer is cut off", () => {
  it.live("grants (POST, PATCH) and revokes (DELETE) are reported made, made once", () =>
    Effect.gen(function*() {
      yield* cutWriteAnswers
      const outcomes = [
        yield* provisioner((p) => p.grant("group:g_side:View Destination", { type: "user", id: "ben" })),
        yield* provisioner((p) => p.grant("role:Account Analyst:assigned", { type: "user", id: "ana" })),
        yield* provisioner((p) => p.revoke("group:g_main:View Destination:user:ana"))
      ]
      assert.deepStrictEqual(outcomes.map((outcome) => outcome._tag), ["Granted", "Granted", "Revoked"])
      assert.deepStrictEqual(yield* writes, [
        "POST /v1/users/ben/groups 201 truncated",
        "PATCH /v1/users/ana 200 truncated",
        "DELETE /v1/users/ana/groups/g_main 200 truncated"
      ])
      yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.setFaults({}))
      assert.deepStrictEqual(
        [yield* state.userGroup("ben", "g_side"), yield* state.userRole("ana"), yield* state.userGroup("ana", "g_main")],
        ["View Destination", "Account Analyst", null]
      )
    }).pipe(Effect.provide(provisioningLayer())))

  it.live("an invitation is reported created, naming the new user read back by email; a delete is reported deleted", () =>
    Effect.gen(function*() {
      yield* cutWriteAnswers
      const { created, deleted, zoe } = yield* inviteZoeThenDeleteDee
      assert.isTrue(Option.isSome(zoe))
      assert.deepStrictEqual(
        [created._tag, created.resource.id, deleted._tag],
        ["Created", { resourceType: "user", resource: Option.getOrThrow(zoe).id }, "Deleted"]
      )
      assert.deepStrictEqual(yield* writes, [
        "POST /v1/users 201 truncated",
        "DELETE /v1/users/dee 200 truncated"
      ])
      assert.isFalse((yield* state.userIds).includes("dee"))
    }).pipe(Effect.provide(provisioningLayer())))
})

/**
 * A write Fivetran answered 2xx whose whole body the client cannot read (a proxy mangling it, a
 * changed API): made all the same. Before, each was Upstream "cannot grant ...: unexpected response
 * body", although Fivetran had made it.
 */
describe("a write whose 2xx answer is no JSON", () => {
  it.live("grants, a revoke, an invitation and a delete are reported made, each sent once", () =>
    Effect.gen(function*() {
      yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.setFaults({ malformedShare: 1, methods: ["POST", "PATCH", "DELETE"] }))
      const outcomes = [
        yield* provisioner((p) => p.grant("group:g_side:View Destination", { type: "user", id: "ben" })),
        yield* provisioner((p) => p.grant("team:t_ops:member", { type: "user", id: "ana" })),
        yield* provisioner((p) => p.grant("role:Account Analyst:assigned", { type: "user", id: "ana" })),
        yield* provisioner((p) => p.revoke("group:g_main:View Destination:user:ana"))
      ]
      const { created, deleted, zoe } = yield* inviteZoeThenDeleteDee
      assert.deepStrictEqual(
        [...outcomes.map((outcome) => outcome._tag), created._tag, deleted._tag],
        ["Granted", "Granted", "Granted", "Revoked", "Created", "Deleted"]
      )
      assert.deepStrictEqual(created.resource.id, { resourceType: "user", resource: Option.getOrThrow(zoe).id })
      assert.deepStrictEqual(yield* writes, [
        "POST /v1/users/ben/groups 201 malformed",
        "POST /v1/teams/t_ops/users 201 malformed",
        "PATCH /v1/users/ana 200 malformed",
        "DELETE /v1/users/ana/groups/g_main 200 malformed",
        "POST /v1/users 201 malformed",
        "DELETE /v1/users/dee 200 malformed"
      ])
      assert.deepStrictEqual(
        [yield* state.userGroup("ben", "g_side"), yield* state.userRole("ana"), yield* state.userGroup("ana", "g_main")],
        ["View Destination", "Account Analyst", null]
      )
      assert.isFalse((yield* state.userIds).includes("dee"))
    }).pipe(Effect.provide(provisioningLayer())))
})

/** The provisioner over a sandbox, with a client whose attempts end after one second. */
const withOneSecondDeadline = provisioningLayer({ client: { maxAttempts: 3, backoffBaseMillis: 0, requestTimeoutSeconds: 1 } })

describe("a write whose 2xx answer breaks off after its status line", () => {
  it.live("a delete whose answer trickles past the deadline is reported deleted, sent once", () =>
    Effect.gen(function*() {
      yield* Effect.flatMap(Sandbox, (sandbox) =>
        sandbox.setFaults({ slowBody: { share: 1, chunkBytes: 1, chunkDelayMillis: 100 }, methods: ["DELETE"] }))
      const deleted = yield* provisioner((p) =>
        p.deleteResource("user", "dee")
      )
      yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.setFaults({}))
      assert.strictEqual(deleted._tag, "Deleted")
      assert.deepStrictEqual(yield* writes, ["DELETE /v1/users/dee 200 slow-body"])
      assert.isFalse((yield* state.userIds).includes("dee"))
    }).pipe(Effect.provide(withOneSecondDeadline)))
})
