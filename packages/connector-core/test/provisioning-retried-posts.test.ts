import { ConsoleTextAnnotation } from "@baton-fivetran/fivetran-client/console-text"
import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Effect, HashMap, Logger, LogLevel, Option } from "effect"
import { Provisioner } from "../src/index.js"
import { clearLog, provisioningLayer, state } from "./support/ProvisioningFixture.js"

/**
 * A POST Fivetran made and then answered 503, which the client repeats (a 503 says the request was
 * not processed): the repeat meets 409, the email or the membership being there already. Before,
 * that 409 read as someone else's change: the invitation was reported "already exists", though
 * this very request had made it.
 */

/** The provisioner over a sandbox, with the client's default attempts and a short backoff. */
const withRetries = provisioningLayer({ client: { backoffBaseMillis: 10 } })

/** The next POST is made and answered 503; the action's outcome, its warnings and the writes answered. */
const actedThenFailed = <A, E>(action: (p: Provisioner["Type"]) => Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    yield* clearLog
    yield* sandbox.setFaults({ failAfterActing: { requests: 1, status: 503 }, methods: ["POST"] })
    const warnings: Array<string> = []
    const collect = Logger.make(({ annotations, logLevel, message }) => {
      // What a person reads: the console text of a line that has one (ConsoleText.ts).
      if (logLevel === LogLevel.Warning) {
        warnings.push(String(Option.getOrElse(HashMap.get(annotations, ConsoleTextAnnotation), () => message)))
      }
    })
    const outcome = yield* Effect.flatMap(Provisioner, action).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, collect)))
    yield* sandbox.setFaults({})
    const writes = (yield* sandbox.requestLog).filter((entry) => entry.method !== "GET").map((entry) =>
      `${entry.method} ${entry.path} ${entry.status}`
    )
    return { outcome, warnings, writes }
  })

const zoe = { email: "zoe@example.com", given_name: "Zoe", family_name: "Quinn" }

describe("a POST made, answered 503 and repeated into 409", () => {
  it.live("an invitation is reported created, the warning saying it most likely landed on the first attempt", () =>
    Effect.gen(function*() {
      const created = yield* actedThenFailed((p) => p.createAccount(zoe))
      const id = created.outcome._tag === "Created" ? created.outcome.resource.id.resource : ""
      const zoes = (yield* Effect.flatMap(Sandbox, (sandbox) => sandbox.snapshot)).users.filter((user) => user.email === zoe.email)
      assert.deepStrictEqual([created.outcome._tag, created.writes, zoes.map((user) => user.id)], [
        "Created",
        ["POST /v1/users 503", "POST /v1/users 409"],
        [id]
      ])
      // Named by the user's id: neither the email asked for nor Fivetran's 409 quoting it reaches the log.
      assert.deepStrictEqual(created.warnings, [
        "create an account for <email>: POST /v1/users: conflicts with the current state (409 Conflict): A user with " +
        "email '<email>' already exists in the account, answering attempt 2; an earlier one (Fivetran answered 503) may " +
        `have made the change itself; the invitation most likely landed on that attempt: reporting user:${id} as created`
      ])
      // The same invitation again is the idempotent no-op.
      const again = yield* Effect.flatMap(Provisioner, (p) => p.createAccount(zoe))
      assert.deepStrictEqual([again._tag, again.resource.id.resource], ["AlreadyExists", id])
    }).pipe(Effect.provide(withRetries)))

  it.live("a grant's membership POST is reported granted, the read-back saying so", () =>
    Effect.gen(function*() {
      const granted = yield* actedThenFailed((p) => p.grant("group:g_side:View Destination", { type: "user", id: "ben" }))
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
    }).pipe(Effect.provide(withRetries)))
})
