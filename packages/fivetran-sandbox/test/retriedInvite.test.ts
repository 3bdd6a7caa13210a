import { FivetranClient, FivetranClientConfig, type FivetranError } from "@baton-fivetran/fivetran-client"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { Sandbox } from "../src/Sandbox.js"
import { fixture, keys } from "./fixture.js"

/** The real client with its default five attempts, no backoff, against a fresh sandbox. */
const retryingClient = Layer.unwrapEffect(Effect.map(Sandbox, (sandbox) =>
  FivetranClient.layer(
    FivetranClientConfig.make({
      apiKey: Redacted.make(keys.admin.key),
      apiSecret: Redacted.make(keys.admin.secret),
      baseUrl: sandbox.baseUrl,
      backoffBaseMillis: 0
    })
  ))).pipe(Layer.provideMerge(Sandbox.layer({ snapshot: fixture })))

const invitation = { email: "zoe@acme.test", given_name: "Zoe", family_name: "Quinn" }

/** The invitation's failure (its tag, `repeatOf`, message), the POSTs the sandbox saw and the users with the email. */
const invite = Effect.gen(function*() {
  const sandbox = yield* Sandbox
  const client = yield* FivetranClient
  const error: FivetranError = yield* Effect.flip(client.inviteUser(invitation))
  const posts = (yield* sandbox.requestLog).map((entry) => [entry.method, entry.status, entry.fault])
  const invited = (yield* sandbox.snapshot).users.filter((user) => user.email === invitation.email).length
  return [error._tag, error._tag === "Conflict" ? error.repeatOf : undefined, error.message, posts, invited]
})

describe("an invitation that landed, answered 503, repeated into 409", () => {
  it.live("the 409 says it answered the repeat and that the earlier attempt may have made the change", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      yield* sandbox.setFaults({ failAfterActing: { requests: 1, status: 503 }, methods: ["POST"] })
      assert.deepStrictEqual(yield* invite, [
        "Conflict",
        { attempts: 2, earlier: "Fivetran answered 503" },
        "POST /v1/users: conflicts with the current state (409 Conflict): A user with email 'zoe@acme.test' already exists " +
        "in the account, answering attempt 2; an earlier one (Fivetran answered 503) may have made the change itself",
        [["POST", 503, "acted-then-failed"], ["POST", 409, null]],
        1
      ])
    }).pipe(Effect.provide(retryingClient)))

  it.live("after a 429 (turned away, nothing made), a 409 is a plain one: someone else's user", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const client = yield* FivetranClient
      yield* client.inviteUser(invitation)
      yield* sandbox.clearRequestLog
      yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 0 } })
      assert.deepStrictEqual(yield* invite, [
        "Conflict",
        undefined,
        "POST /v1/users: conflicts with the current state (409 Conflict): A user with email 'zoe@acme.test' already exists in the account",
        [["POST", 429, "rate-limit-burst"], ["POST", 409, null]],
        1
      ])
    }).pipe(Effect.provide(retryingClient)))
})
