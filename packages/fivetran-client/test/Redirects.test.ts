import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { json, startServer, text } from "./support/ScriptedServer.js"
import { clientFor, TestApiKey } from "./support/TestClient.js"

describe("a redirect", () => {
  it.scopedLive("is not followed, and the error says it was one, where to, and what to change", () =>
    Effect.gen(function*() {
      // What a base URL of http://api.fivetran.com gets: a redirect to https.
      const server = yield* startServer(() => json(301, { code: "Moved" }, { Location: "https://api.fivetran.com/v1/teams/bright_otter" }))
      const client = yield* clientFor(server.baseUrl, { backoffBaseMillis: 0 })
      const error = yield* Effect.flip(client.getTeam("bright_otter"))
      assert.deepStrictEqual([error._tag, error.message], [
        "BadRequest",
        "GET /v1/teams/bright_otter: the server at the base URL answered 301, a redirect to " +
        "https://api.fivetran.com/v1/teams/bright_otter; the client does not follow redirects (the API key would go along): " +
        "set the base URL to the API's own address (the redirect keeps the request's path under https://api.fivetran.com: " +
        "if that is Fivetran's API, use it)"
      ])
      assert.strictEqual((yield* server.requests).length, 1)
    }))

  it.scopedLive("to a proxy's login page quotes the Location as outside text: credentials masked", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => json(302, {}, { Location: `https://proxy.example/login?user=${TestApiKey}&next=%2Fv1` }))
      const client = yield* clientFor(server.baseUrl, { backoffBaseMillis: 0 })
      const error = yield* Effect.flip(client.createTeam({ name: "Analysts", role: "Account Reviewer" }))
      assert.strictEqual(
        error.message,
        "POST /v1/teams: the server at the base URL answered 302, a redirect to " +
          "https://proxy.example/login?user=<redacted>&next=%2Fv1; the client does not follow redirects " +
          "(the API key would go along): set the base URL to the API's own address"
      )
    }))

  it.scopedLive("without a Location still says it was a redirect; a 4xx with one is unchanged", () =>
    Effect.gen(function*() {
      const server = yield* startServer((_, index) =>
        index === 0 ? text(307, "") : json(400, { code: "InvalidInput", message: "bad" }, { Location: "/elsewhere" })
      )
      const client = yield* clientFor(server.baseUrl, { backoffBaseMillis: 0 })
      const redirect = yield* Effect.flip(client.getTeam("bright_otter"))
      assert.strictEqual(
        redirect.message,
        "GET /v1/teams/bright_otter: the server at the base URL answered 307, a redirect; the client does not follow " +
          "redirects (the API key would go along): set the base URL to the API's own address"
      )
      const refused = yield* Effect.flip(client.getTeam("bright_otter"))
      assert.strictEqual(refused.message, "GET /v1/teams/bright_otter: Fivetran refused the request (400 InvalidInput): bad")
    }))
})
