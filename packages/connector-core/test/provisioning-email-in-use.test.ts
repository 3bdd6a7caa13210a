import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { type EmailInUseStatus, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import { type AccountRequest, Provisioner, type ProvisioningError, userResource } from "../src/index.js"
import { at, type Interjection, meanwhile } from "./support/Meanwhile.js"
import { account, clearLog, clientFor, requestsSince, systemKey } from "./support/ProvisioningFixture.js"

/**
 * Whether Fivetran refuses an invitation of an email already in the account with 409 or 400 is
 * UNCONFIRMED (docs/fivetran-api.md §9): either answer is read back once, and the user found is the
 * outcome. The sandbox answers each way (`emailInUseStatus`); another admin's invitation, made while
 * the provisioner's POST is held (support/Meanwhile.ts), makes the race happen every run.
 */

/** The provisioner over the real client and a sandbox refusing an email in use with `status`. */
const refusingWith = (status: EmailInUseStatus) =>
  Provisioner.layer({ enabled: true, syncConnections: false }).pipe(
    Layer.provideMerge(clientFor(systemKey)),
    Layer.provideMerge(Sandbox.layer({ snapshot: account, port: 0, emailInUseStatus: status }))
  )

const other = <A, E>(change: (client: FivetranClient["Type"]) => Effect.Effect<A, E>) => Effect.flatMap(FivetranClient, change)

const invitedMeanwhile = at(
  "POST /v1/users",
  other((c) => c.inviteUser({ email: "Zoe@example.com", given_name: "Zoe", family_name: "Quinn" }))
)

/** The id the sandbox's seeded allocator gives the first user invited in this account. */
const invitedId = "ancient_moon"

/** Another admin deletes the user invited meanwhile as the provisioner reads the email back. */
const deletedBeforeReadBack = at("GET /v1/users", other((c) => c.deleteUser(invitedId)))

/** `createAccount(request)` on a cleared log, the interjections armed: its result and the requests the sandbox saw. */
const created = (request: AccountRequest, ...interjections: ReadonlyArray<Interjection>) =>
  Effect.gen(function*() {
    yield* clearLog
    yield* meanwhile(...interjections)
    const result = yield* Effect.either(Effect.flatMap(Provisioner, (p) => p.createAccount(request)))
    return { result, requests: yield* requestsSince }
  })

const zoe: AccountRequest = { email: "zoe@example.com", given_name: "Zoe", family_name: "Q" }

/** How each mode refuses when the read-back finds no one: as a 409 or a 400 was refused before. */
const modes: ReadonlyArray<{ readonly status: EmailInUseStatus; readonly refused: ReadonlyArray<string> }> = [
  {
    status: 409,
    refused: [
      "Conflict",
      "cannot create an account for zoe@example.com: POST /v1/users: conflicts with the current state (409 Conflict): " +
      "A user with email 'zoe@example.com' already exists in the account"
    ]
  },
  {
    status: 400,
    // What a 400 was before it was read back: the connector's Upstream (502, exit 1).
    refused: [
      "Upstream",
      "cannot create an account for zoe@example.com: POST /v1/users: Fivetran refused the request (400 InvalidInput): " +
      "Invalid field 'email': a user with email 'zoe@example.com' already exists in the account"
    ]
  }
]

/** The refusal as `[tag, message]`. */
const refusal = (result: Either.Either<unknown, ProvisioningError>) =>
  Either.match(result, {
    onLeft: (error) => [error._tag, error.message],
    onRight: (outcome) => assert.fail(`expected a refusal, got ${JSON.stringify(outcome)}`)
  })

describe.each(modes)("an email invited meanwhile, refused with $status", ({ refused, status }) => {
  it.live("is read back once: already exists with that user", () =>
    Effect.gen(function*() {
      const run = yield* created(zoe, invitedMeanwhile)
      const invited = yield* other((c) => Effect.orDie(c.getUser(invitedId)))
      assert.strictEqual(invited.email, "Zoe@example.com")
      assert.deepStrictEqual(run.result, Either.right({ _tag: "AlreadyExists", resource: userResource(invited) }))
      // The provisioner's lookup, the other admin's invitation, the provisioner's, its one read-back.
      assert.deepStrictEqual(run.requests, ["GET /v1/users", "POST /v1/users", "POST /v1/users", "GET /v1/users"])
      const log = yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.requestLog)
      assert.deepStrictEqual(log.filter((entry) => entry.method === "POST").map((entry) => entry.status), [201, status])
    }).pipe(Effect.provide(refusingWith(status))))

  it.live("with another role than the user holds: Conflict, the grant to make named", () =>
    Effect.gen(function*() {
      const run = yield* created({ ...zoe, role: "Account Analyst" }, invitedMeanwhile)
      assert.deepStrictEqual(refusal(run.result), [
        "Conflict",
        `cannot create an account for zoe@example.com: it already exists (user:${invitedId}) with no account role, not Account Analyst; ` +
        "grant role:Account Analyst:assigned to change it"
      ])
      assert.deepStrictEqual(run.requests, ["GET /v1/roles", "GET /v1/users", "POST /v1/users", "POST /v1/users", "GET /v1/users"])
    }).pipe(Effect.provide(refusingWith(status))))

  it.live("no user found on reading back: the refusal as it was, after exactly one more lookup", () =>
    Effect.gen(function*() {
      const run = yield* created(zoe, invitedMeanwhile, deletedBeforeReadBack)
      assert.deepStrictEqual(refusal(run.result), refused)
      // The other admin's delete is made while the read-back is held.
      assert.deepStrictEqual(run.requests, [
        "GET /v1/users",
        "POST /v1/users",
        "POST /v1/users",
        `DELETE /v1/users/${invitedId}`,
        "GET /v1/users"
      ])
    }).pipe(Effect.provide(refusingWith(status))))
})
