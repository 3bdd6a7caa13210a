import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { ConsoleTextAnnotation } from "@baton-fivetran/fivetran-client/console-text"
import { type EmailInUseStatus, type FaultOptions, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Effect, HashMap, Logger, LogLevel, Option } from "effect"
import { Provisioner } from "../src/index.js"
import { clearLog, provisioningLayer, state } from "./support/ProvisioningFixture.js"

/**
 * A POST Fivetran made and then answered 503, which the client repeats (a 503 says the request was
 * not processed): the repeat meets the email or the membership there already, refused with 409, or
 * (an email, UNCONFIRMED which: docs/fivetran-api.md §9) with 400. Before, that refusal read as
 * someone else's change: the invitation was reported "already exists", though this very request had made it.
 */

/** The provisioner over a sandbox refusing an email in use with `emailInUseStatus`, with the client's default attempts and a short backoff. */
const withRetries = (emailInUseStatus: EmailInUseStatus = 409) => provisioningLayer({ client: { backoffBaseMillis: 10 }, emailInUseStatus })

/** `action` under the sandbox's `faults`: its outcome, its warnings and the writes answered. */
const underFaults = <A, E, R>(faults: FaultOptions, action: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    yield* clearLog
    yield* sandbox.setFaults(faults)
    const warnings: Array<string> = []
    const collect = Logger.make(({ annotations, logLevel, message }) => {
      // What a person reads: the console text of a line that has one (ConsoleText.ts).
      if (logLevel === LogLevel.Warning) {
        warnings.push(String(Option.getOrElse(HashMap.get(annotations, ConsoleTextAnnotation), () => message)))
      }
    })
    const outcome = yield* action.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, collect)))
    yield* sandbox.setFaults({})
    const writes = (yield* sandbox.requestLog).filter((entry) => entry.method !== "GET").map((entry) =>
      `${entry.method} ${entry.path} ${entry.status}`
    )
    return { outcome, warnings, writes }
  })

/** `action` with the next POST made and answered 503. */
const actedThenFailed = <A, E, R>(action: Effect.Effect<A, E, R>) =>
  underFaults({ failAfterActing: { requests: 1, status: 503 }, methods: ["POST"] }, action)

const zoe = { email: "zoe@example.com", given_name: "Zoe", family_name: "Quinn" }

/** How each mode refuses Zoe's repeated invitation, as a log line shows it (her email as `<email>`). */
const modes: ReadonlyArray<{ readonly status: EmailInUseStatus; readonly refused: string }> = [
  {
    status: 409,
    refused: "conflicts with the current state (409 Conflict): A user with email '<email>' already exists in the account"
  },
  {
    status: 400,
    refused: "Fivetran refused the request (400 InvalidInput): Invalid field 'email': a user with email '<email>' already " +
      "exists in the account"
  }
]

describe.each(modes)("an invitation made, answered 503 and repeated into $status", ({ refused, status }) => {
  it.live("is reported created, the warning saying it most likely landed on the first attempt", () =>
    Effect.gen(function*() {
      const created = yield* actedThenFailed(Effect.flatMap(Provisioner, (p) => p.createAccount(zoe)))
      const id = created.outcome._tag === "Created" ? created.outcome.resource.id.resource : ""
      const zoes = (yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.snapshot)).users.filter((user) => user.email === zoe.email)
      assert.deepStrictEqual([created.outcome._tag, created.writes, zoes.map((user) => user.id)], [
        "Created",
        ["POST /v1/users 503", `POST /v1/users ${status}`],
        [id]
      ])
      // Named by the user's id: neither the email asked for nor Fivetran's refusal quoting it reaches the log.
      assert.deepStrictEqual(created.warnings, [
        `create an account for <email>: POST /v1/users: ${refused}, answering attempt 2; an earlier one (Fivetran answered 503) may ` +
        `have made the change itself; the invitation most likely landed on that attempt: reporting user:${id} as created`
      ])
      // The same invitation again is the idempotent no-op.
      const again = yield* Effect.flatMap(Provisioner, (p) => p.createAccount(zoe))
      assert.deepStrictEqual([again._tag, again.resource.id.resource], ["AlreadyExists", id])
    }).pipe(Effect.provide(withRetries(status))))
})

describe("a grant's membership POST made, answered 503 and repeated into 409", () => {
  it.live("is reported granted, the read-back saying so", () =>
    Effect.gen(function*() {
      const granted = yield* actedThenFailed(
        Effect.flatMap(Provisioner, (p) => p.grant("group:g_side:View Destination", { type: "user", id: "ben" }))
      )
      assert.deepStrictEqual([granted.outcome._tag, granted.writes, granted.warnings], [
        "Granted",
        ["POST /v1/users/ben/groups 503", "POST /v1/users/ben/groups 409"],
        [
          "grant group:g_side:View Destination to user:ben: POST /v1/users/ben/groups: conflicts with the current state " +
          "(409 Conflict): 'ben' already has role 'View Destination' in 'g_side'; change it with PATCH, answering attempt 2; an " +
          "earlier one (Fivetran answered 503) may have made the change itself, but the read-back found the change made"
        ]
      ])
      assert.strictEqual(yield* state.userGroup("ben", "g_side"), "View Destination")
    }).pipe(Effect.provide(withRetries())))
})

/** The client's refusal of an invitation of `email`: its tag, `repeatOf` and message. */
const invitationRefused = (email: string) =>
  Effect.flatMap(FivetranClient, (client) =>
    Effect.map(Effect.flip(client.inviteUser({ ...zoe, email })), (error) => [
      error._tag,
      error._tag === "BadRequest" ? error.repeatOf : "not a BadRequest",
      error.message
    ]))

describe("the client's 400 to an invitation of an email in use", () => {
  it.live("answering a repeat after a 503: repeatOf names the attempt and what the earlier one met, as the message does", () =>
    Effect.gen(function*() {
      const refused = yield* actedThenFailed(invitationRefused(zoe.email))
      assert.deepStrictEqual([refused.outcome, refused.writes], [
        [
          "BadRequest",
          { attempts: 2, earlier: "Fivetran answered 503" },
          "POST /v1/users: Fivetran refused the request (400 InvalidInput): Invalid field 'email': a user with email " +
          "'zoe@example.com' already exists in the account, answering attempt 2; an earlier one (Fivetran answered 503) may " +
          "have made the change itself"
        ],
        ["POST /v1/users 503", "POST /v1/users 400"]
      ])
    }).pipe(Effect.provide(withRetries(400))))

  it.live("answering a first attempt, or a repeat after a 429 (turned away, nothing done): no repeatOf, the message only the refusal", () =>
    Effect.gen(function*() {
      const first = yield* underFaults({}, invitationRefused("ana@example.com"))
      const afterBusy = yield* underFaults(
        { rateLimitBurst: { requests: 1, retryAfterSeconds: 0 }, methods: ["POST"] },
        invitationRefused("ana@example.com")
      )
      const plain = [
        "BadRequest",
        undefined,
        "POST /v1/users: Fivetran refused the request (400 InvalidInput): Invalid field 'email': a user with email " +
        "'ana@example.com' already exists in the account"
      ]
      assert.deepStrictEqual([first.outcome, first.writes, afterBusy.outcome, afterBusy.writes], [
        plain,
        ["POST /v1/users 400"],
        plain,
        ["POST /v1/users 429", "POST /v1/users 400"]
      ])
    }).pipe(Effect.provide(withRetries(400))))
})
