import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { json, startServer } from "./support/ScriptedServer.js"
import { clientFor } from "./support/TestClient.js"
import { watchedHostName } from "./support/WatchedHostName.js"

/**
 * A base URL that names a server the client cannot talk to as written: `https://` for a server that
 * speaks plain HTTP (the sandbox, a gateway inside the network), or a host name that does not exist.
 * The first said OpenSSL's "ssl3_get_record:wrong version number:../deps/openssl/..." after five
 * attempts at the same server; the second "getaddrinfo ENOTFOUND", naming neither setting nor fix,
 * after ~15 s of retries that asked the resolver the same question again.
 */

/** Short backoff: the old code's retries run within the test's time. */
const fast = { backoffBaseMillis: 1 }

const account = { code: "Success", data: { account_id: "acc", account_name: "Acme", user_id: "u1", system_key_id: null } }

describe("a base URL whose server the client cannot talk to", () => {
  it.scopedLive("https:// at a plain-HTTP server fails at once, saying to write http://; nothing is sent", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => json(200, { code: "Success", data: {} }))
      let connections = 0
      server.node.on("connection", () => connections++)
      const client = yield* clientFor(server.baseUrl.replace("http:", "https:"), fast)
      const error = yield* Effect.flip(client.accountInfo)
      assert.strictEqual(
        error.message,
        "GET /v1/account/info: could not reach Fivetran: the server at the base URL answered the TLS handshake with " +
          "something that is not TLS (ERR_SSL_WRONG_VERSION_NUMBER), so nothing was sent: the base URL is https:, and " +
          "this server seems to speak plain HTTP; if it does (a sandbox on this machine), write http:// in the base URL"
      )
      assert.deepInclude(error, { _tag: "Transport", connectFailed: true, notTls: true })
      assert.strictEqual(connections, 1)
      assert.deepStrictEqual(yield* server.requests, [])
    }))

  it.scopedLive("a host name that does not exist fails at its first lookup, saying so and what to check", () =>
    Effect.gen(function*() {
      // .invalid never resolves (RFC 6761): the machine's own resolver says so.
      const name = yield* watchedHostName("api.fivetran.invalid", "real")
      const client = yield* clientFor("https://api.fivetran.invalid", { ...fast, maxAttempts: 5 })
      const error = yield* Effect.flip(client.accountInfo)
      assert.strictEqual(
        error.message,
        "GET /v1/account/info: could not reach Fivetran: the request failed: getaddrinfo ENOTFOUND api.fivetran.invalid: " +
          "no such host name; check the base URL's host (behind an egress proxy, set HTTPS_PROXY: a machine that " +
          "reaches the internet only through one may not resolve outside names)"
      )
      assert.deepInclude(error, { _tag: "Transport", connectFailed: true, unknownHost: true })
      assert.strictEqual(name.lookups(), 1)
    }))

  it.scopedLive("a host name that stops resolving once answers have come is retried, as a resolver's blip", () =>
    Effect.gen(function*() {
      // Each answer closes its connection, so that every request looks the name up.
      const server = yield* startServer(() => json(200, account, { connection: "close" }))
      const name = yield* watchedHostName("fivetran.test", "loopback")
      const client = yield* clientFor(server.baseUrl.replace("127.0.0.1", "fivetran.test"), { ...fast, maxAttempts: 3 })
      assert.strictEqual((yield* client.accountInfo).account_id, "acc")
      name.stopResolving()
      const error = yield* Effect.flip(client.accountInfo)
      assert.strictEqual(
        error.message,
        "GET /v1/account/info: could not reach Fivetran: the request failed: getaddrinfo ENOTFOUND fivetran.test: " +
          "no such host name; check the base URL's host (behind an egress proxy, set HTTPS_PROXY: a machine that " +
          "reaches the internet only through one may not resolve outside names); gave up after 3 attempts"
      )
      assert.deepInclude(error, { _tag: "Transport", connectFailed: true })
      assert.notProperty(error, "unknownHost")
      assert.strictEqual(name.lookups(), 4)
      assert.strictEqual((yield* server.requests).length, 1)
    }))
})
