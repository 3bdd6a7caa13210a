import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { json, startServer } from "./support/ScriptedServer.js"
import { clientFor } from "./support/TestClient.js"

/**
 * A base URL that names a server the client cannot talk to as written: `https://` for a server that
 * speaks plain HTTP (the sandbox, a gateway inside the network), or a host name that does not exist.
 * The first said OpenSSL's "ssl3_get_record:wrong version number:../deps/openssl/..." after five
 * attempts at the same server; the second "getaddrinfo ENOTFOUND", naming neither setting nor fix.
 */

/** Short backoff: the old code's retries run within the test's time. */
const fast = { backoffBaseMillis: 1 }

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

  it.scopedLive("a host name that does not exist says so and what to check", () =>
    Effect.gen(function*() {
      // .invalid never resolves (RFC 6761); retried as any failed connection, then given up.
      const client = yield* clientFor("https://api.fivetran.invalid", { ...fast, maxAttempts: 2 })
      const error = yield* Effect.flip(client.accountInfo)
      assert.strictEqual(
        error.message,
        "GET /v1/account/info: could not reach Fivetran: the request failed: getaddrinfo ENOTFOUND api.fivetran.invalid: " +
          "no such host name; check the base URL's host (behind an egress proxy, set HTTPS_PROXY: a machine that " +
          "reaches the internet only through one may not resolve outside names); gave up after 2 attempts"
      )
      assert.deepInclude(error, { _tag: "Transport", connectFailed: true })
    }))
})
