import { FivetranClient } from "@baton-fivetran/fivetran-client"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { provideSandbox, raw } from "./harness.js"

const patch = (body: unknown) => raw("PATCH", "/v1/users/calm_willow", { body: JSON.stringify(body) })

/** The user's fields a refused PATCH must leave as they were. */
const willow = Effect.map(
  Effect.flatMap(FivetranClient, (client) => client.getUser("calm_willow")),
  (user) => [user.email, user.given_name, user.active]
)

describe("PATCH /v1/users/{id} changes only the fields Fivetran's Update a User lists", () => {
  it.live("an email is refused with 400 naming it and what to do instead; nothing else in the body is applied", () =>
    Effect.gen(function*() {
      const before = yield* willow
      const alone = yield* patch({ email: "carla.new@acme.test" })
      const withName = yield* patch({ given_name: "Carlota", email: "carla.new@acme.test" })
      assert.deepStrictEqual([alone.status, alone.text], [
        400,
        JSON.stringify({
          code: "InvalidInput",
          message: "Invalid field 'email': a user's email cannot be changed; invite the new address (POST /v1/users) and delete this user"
        })
      ])
      assert.deepStrictEqual([withName.status, withName.json], [400, alone.json])
      assert.deepStrictEqual(yield* willow, before)
    }).pipe(provideSandbox()))

  it.live("read-only fields are refused by name, unknown ones as no field of this request", () =>
    Effect.gen(function*() {
      const before = yield* willow
      const readOnly = yield* patch({ active: false, email: "x@acme.test" })
      const unknown = yield* patch({ given_name: "Carlota", nickname: "Carly" })
      assert.deepStrictEqual([readOnly.status, readOnly.json], [400, {
        code: "InvalidInput",
        message: "Invalid field 'email': a user's email cannot be changed; invite the new address (POST /v1/users) and delete this user; " +
          "Invalid field 'active': is read-only"
      }])
      assert.deepStrictEqual([unknown.status, unknown.json], [400, {
        code: "InvalidInput",
        message: "Invalid field 'nickname': is not a field of this request"
      }])
      assert.deepStrictEqual(yield* willow, before)
    }).pipe(provideSandbox()))

  it.live("the listed fields still change, the others kept", () =>
    Effect.gen(function*() {
      const answer = yield* patch({ given_name: "Carlota", phone: null })
      const data = (answer.json as { data: Record<string, unknown> }).data
      assert.deepStrictEqual([answer.status, data["given_name"], data["phone"]], [200, "Carlota", null])
      assert.deepStrictEqual((yield* willow).slice(1), ["Carlota", true])
    }).pipe(provideSandbox()))
})
