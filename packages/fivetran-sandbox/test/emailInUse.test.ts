import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Sandbox } from "../src/Sandbox.js"
import { provideSandbox, raw } from "./harness.js"

/**
 * How Fivetran refuses an invitation of an email already in the account is UNCONFIRMED (409 or 400):
 * `emailInUseStatus` chooses, so a client's handling of each can be tested against the sandbox.
 */

const post = (email: string) =>
  Effect.map(
    raw("POST", "/v1/users", { body: JSON.stringify({ email, given_name: "B", family_name: "I" }) }),
    (r) => [r.status, r.json]
  )

/** The users holding `email` (any case) in the sandbox's state. */
const holders = (email: string) =>
  Effect.map(
    Effect.flatMap(Sandbox, (sandbox) => sandbox.snapshot),
    (snapshot) => snapshot.users.filter((user) => user.email.toLowerCase() === email.toLowerCase()).map((user) => user.id)
  )

describe("an invitation of an email already in the account", () => {
  it.live("is a 409 Conflict by default", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* post("ben.ito@ACME.test"), [
        409,
        { code: "Conflict", message: "A user with email 'ben.ito@ACME.test' already exists in the account" }
      ])
      assert.deepStrictEqual(yield* holders("ben.ito@acme.test"), ["bright_otter"])
    }).pipe(provideSandbox()))

  it.live("is a 400 InvalidInput naming the field with emailInUseStatus 400; the client's BadRequest; no user made", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* post("ben.ito@ACME.test"), [
        400,
        {
          code: "InvalidInput",
          message: "Invalid field 'email': a user with email 'ben.ito@ACME.test' already exists in the account"
        }
      ])
      const client = yield* FivetranClient
      const refused = yield* Effect.flip(client.inviteUser({ email: "Ben.Ito@acme.test", given_name: "B", family_name: "I" }))
      assert.deepStrictEqual([refused._tag, refused.message], [
        "BadRequest",
        "POST /v1/users: Fivetran refused the request (400 InvalidInput): Invalid field 'email': a user with email " +
        "'Ben.Ito@acme.test' already exists in the account"
      ])
      assert.deepStrictEqual(yield* holders("ben.ito@acme.test"), ["bright_otter"])
      const created = yield* client.inviteUser({ email: "new@acme.test", given_name: "N", family_name: "E" })
      assert.deepStrictEqual(yield* holders("new@acme.test"), [created.id])
    }).pipe(provideSandbox({ emailInUseStatus: 400 })))
})
