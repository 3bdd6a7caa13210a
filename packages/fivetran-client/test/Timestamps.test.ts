import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { json, startServer } from "./support/ScriptedServer.js"
import { clientFor } from "./support/TestClient.js"

const once = { maxAttempts: 1 }

const user = {
  id: "wise_cactus",
  email: "ada@example.com",
  given_name: "Ada",
  family_name: "Lovelace",
  verified: true,
  invited: false,
  picture: null,
  phone: null,
  role: "Account Reviewer",
  logged_in_at: "2024-03-02T10:15:00.123456Z",
  created_at: "2023-12-31T23:59:59+01:00",
  active: true
}

const answeringUser = (fields: Partial<typeof user>) => startServer(() => json(200, { code: "Success", data: { ...user, ...fields } }))

describe("timestamps in Fivetran's answers", () => {
  it.scopedLive("RFC 3339 with a fraction of up to nine digits, Z or an offset, a leap day or second, is read as sent", () =>
    Effect.gen(function*() {
      const server = yield* answeringUser({ logged_in_at: "2024-02-29T00:00:00.000000001z", created_at: "0000-02-29T23:59:60+01:00" })
      const read = yield* (yield* clientFor(server.baseUrl, once)).getUser("wise_cactus")
      assert.deepStrictEqual([read.logged_in_at, read.created_at], ["2024-02-29T00:00:00.000000001z", "0000-02-29T23:59:60+01:00"])
    }))

  it.scopedLive("text that is not a timestamp fails the answer, naming the endpoint and the field", () =>
    Effect.gen(function*() {
      const server = yield* answeringUser({ created_at: "garbage" })
      const error = yield* Effect.flip((yield* clientFor(server.baseUrl, once)).getUser("wise_cactus"))
      assert.deepStrictEqual([error._tag, error.message], [
        "InvalidResponse",
        "GET /v1/users/wise_cactus: unexpected response body at data.created_at: \"garbage\" is not an RFC 3339 timestamp"
      ])
    }))

  it.scopedLive("a date-time out of range (13th month, 30 February, 25th hour) is refused, not rolled over into another date", () =>
    Effect.gen(function*() {
      const refused: Array<string> = []
      for (const loggedIn of ["2025-13-45T99:99:99Z", "2023-02-30T10:00:00Z", "2024-03-02T24:00:00Z", "2024-03-02T10:00:00+24:00"]) {
        const server = yield* answeringUser({ logged_in_at: loggedIn })
        const error = yield* Effect.flip((yield* clientFor(server.baseUrl, once)).getUser("wise_cactus"))
        refused.push(error.message)
      }
      assert.deepStrictEqual(refused, [
        "GET /v1/users/wise_cactus: unexpected response body at data.logged_in_at: \"2025-13-45T99:99:99Z\" is not an RFC 3339 timestamp",
        "GET /v1/users/wise_cactus: unexpected response body at data.logged_in_at: \"2023-02-30T10:00:00Z\" is not an RFC 3339 timestamp",
        "GET /v1/users/wise_cactus: unexpected response body at data.logged_in_at: \"2024-03-02T24:00:00Z\" is not an RFC 3339 timestamp",
        "GET /v1/users/wise_cactus: unexpected response body at data.logged_in_at: \"2024-03-02T10:00:00+24:00\" is not an RFC 3339 timestamp"
      ])
    }))

  it.scopedLive("in a listing, the error names the item", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() =>
        json(200, {
          code: "Success",
          data: { items: [user, { ...user, id: "other", created_at: "2024-03-02" }], next_cursor: null }
        })
      )
      const error = yield* Effect.flip(Stream.runDrain((yield* clientFor(server.baseUrl, once)).listUsers))
      assert.strictEqual(
        error.message,
        "GET /v1/users: unexpected response body at data.items[1].created_at: \"2024-03-02\" is not an RFC 3339 timestamp"
      )
    }))
})
