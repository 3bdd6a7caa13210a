import { Unauthorized } from "@baton-fivetran/http-api"
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { harness, Harness, makeClient, OtherToken, TestToken } from "./Harness.js"
import { exchange } from "./RawExchange.js"

/**
 * One token check (Auth.ts `authenticate`) behind every route that needs a token: the Api's
 * middleware on its endpoints, `requireToken` on /metrics and the documents. Each refusal is the
 * same answer whichever route was asked.
 */

const missing = { error: "Unauthorized", message: "missing Authorization header; send `Authorization: Bearer <token>`" }
const wrong = { error: "Unauthorized", message: "the bearer token is not valid for this service" }

layer(harness(), { excludeTestServices: true, timeout: 180_000 })("the token", (it) => {
  it.effect("missing, wrong and right, on an Api endpoint and on /metrics: 401 with the same body, then 200", () =>
    Effect.gen(function*() {
      const { logs, request } = yield* Harness
      // Each 401 names its scheme (RFC 9110 §15.5.2), an unknown path's too; no other answer does.
      const challenge = `Bearer realm="baton-fivetran"`
      for (const path of ["/v1/syncs", "/metrics", "/openapi.json", "/no/such/path"]) {
        const none = yield* request("GET", path)
        assert.strictEqual(none.status, 401, path)
        assert.strictEqual(none.headers["www-authenticate"], challenge, path)
        assert.deepStrictEqual(yield* Effect.orDie(none.json), missing, path)
        for (const token of ["wrong-token", `${TestToken} `.repeat(2), TestToken.toUpperCase()]) {
          const refused = yield* request("GET", path, { token })
          assert.strictEqual(refused.status, 401, `${path} with ${token}`)
          assert.strictEqual(refused.headers["www-authenticate"], challenge, `${path} with ${token}`)
          assert.deepStrictEqual(yield* Effect.orDie(refused.json), wrong, `${path} with ${token}`)
        }
        for (const token of [TestToken, OtherToken]) {
          const answered = yield* request("GET", path, { token })
          assert.strictEqual(answered.status, path === "/no/such/path" ? 404 : 200, `${path} with ${token}`)
          assert.isUndefined(answered.headers["www-authenticate"], `${path} with ${token}`)
        }
      }
      // Twelve wrong tokens from one address within the minute: one warning, at the first, with no
      // token in it (the count of the other eleven comes a minute later); no header is no guess.
      const refusals = (yield* logs).filter((line) => line["msg"] === "bearer token refused")
      assert.deepStrictEqual(refusals.map(({ request_id: _, ...line }) => line), [
        { level: "warn", msg: "bearer token refused", peer: "127.0.0.1", failures: 1 }
      ])
    }))

  it.effect("two Authorization headers are a 401 whichever holds the token; a Basic credential is told to send a bearer token", () =>
    Effect.gen(function*() {
      const { baseUrl, request } = yield* Harness
      const port = Number(new URL(baseUrl).port)
      const bodyOf = (received: string) => [Number(received.slice(9, 12)), JSON.parse(received.slice(received.indexOf("\r\n\r\n") + 4))]
      const twice = (first: string, second: string) =>
        Effect.map(
          exchange(
            port,
            `GET /v1/syncs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${first}\r\nAuthorization: ${second}\r\nConnection: close\r\n\r\n`
          ),
          bodyOf
        )
      const duplicate = {
        error: "Unauthorized",
        message: "the request has more than one Authorization header; send one: `Authorization: Bearer <token>`"
      }
      assert.deepStrictEqual(yield* twice(`Bearer ${TestToken}`, "Bearer wrong-token"), [401, duplicate])
      assert.deepStrictEqual(yield* twice("Bearer wrong-token", `Bearer ${TestToken}`), [401, duplicate])
      const basic = yield* request("GET", "/v1/syncs", { headers: { authorization: `Basic ${btoa(`user:${TestToken}`)}` } })
      assert.deepStrictEqual([basic.status, yield* Effect.orDie(basic.json)], [401, {
        error: "Unauthorized",
        message: "the Authorization header holds no bearer token; send `Authorization: Bearer <token>`"
      }])
    }))

  it.effect("the typed client fails with Unauthorized, by its tag, for a wrong token; the right one is answered", () =>
    Effect.gen(function*() {
      const { baseUrl, client } = yield* Harness
      const stranger = yield* makeClient(baseUrl, "wrong-token")
      const refused = yield* Effect.flip(stranger.syncs.list())
      assert.deepStrictEqual(refused, new Unauthorized({ message: wrong.message }))
      const refusedCapabilities = yield* stranger.service.capabilities().pipe(
        Effect.map(() => "answered"),
        Effect.catchTag("Unauthorized", (error) => Effect.succeed(error.message))
      )
      assert.strictEqual(refusedCapabilities, wrong.message)
      assert.deepStrictEqual(yield* client.syncs.list(), { items: [] })
    }))
})
