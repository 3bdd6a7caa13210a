import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { json, startServer } from "./support/ScriptedServer.js"
import { clientFor } from "./support/TestClient.js"

/**
 * A base URL or proxy no request can be sent to. The apps check both as settings; a workspace app
 * builds the config itself (FivetranClientConfig.make), and then met a bad base URL as five attempts
 * and their backoff ("gave up after 5 attempts", for a typo no retry mends) and a bad proxy as a
 * defect (TypeError: Invalid URL) instead of a typed error. Now each is one failed attempt.
 */

/** Short backoff: before, the retries ran within the test's time. */
const fast = { backoffBaseMillis: 1 }

describe("a base URL or proxy that cannot be used", () => {
  it.scopedLive("a base URL that is not a URL fails at once, naming it, and is not retried", () =>
    Effect.gen(function*() {
      const client = yield* clientFor("api.fivetran.com", fast)
      const error = yield* Effect.flip(client.accountInfo)
      assert.strictEqual(error._tag, "Transport")
      assert.strictEqual(
        error.message,
        "GET /v1/account/info: could not reach Fivetran: the base URL is not valid: ERR_INVALID_URL Invalid URL"
      )
      assert.deepInclude(error, { connectFailed: true, unusableUrl: "base URL" })
    }))

  it.scopedLive("a base URL of another scheme than http or https fails at once, naming the scheme", () =>
    Effect.gen(function*() {
      const client = yield* clientFor("ftp://api.fivetran.com", fast)
      const error = yield* Effect.flip(client.accountInfo)
      assert.strictEqual(
        error.message,
        "GET /v1/account/info: could not reach Fivetran: the base URL is not valid: " +
          "its scheme is ftp:, where the API is reached over https: (or http:), e.g. https://api.fivetran.com"
      )
    }))

  it.scopedLive("a proxy that is not a URL is a Transport error, not a defect, quoting none of it; nothing is sent", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => json(200, { code: "Success", data: {} }))
      const proxy = "http://proxy-user:pr0xy-s3cret@[::1"
      const client = yield* clientFor(server.baseUrl, { ...fast, proxy: Redacted.make(proxy) })
      const error = yield* Effect.flip(client.accountInfo)
      assert.strictEqual(
        error.message,
        "GET /v1/account/info: could not reach Fivetran: the proxy URL is not valid: ERR_INVALID_URL Invalid URL"
      )
      assert.deepInclude(error, { connectFailed: true, unusableUrl: "proxy" })
      assert.notInclude(JSON.stringify(error), "pr0xy-s3cret")
      assert.deepStrictEqual(yield* server.requests, [])
    }))

  it.scopedLive("a proxy of another scheme fails at once, naming the scheme", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => json(200, { code: "Success", data: {} }))
      const client = yield* clientFor(server.baseUrl, { ...fast, proxy: Redacted.make("socks5://proxy:1080") })
      const error = yield* Effect.flip(client.accountInfo)
      assert.strictEqual(
        error.message,
        "GET /v1/account/info: could not reach Fivetran: the proxy URL is not valid: " +
          "its scheme is socks5:, where the proxy is reached over http: or https:, e.g. http://proxy:3128"
      )
      assert.deepStrictEqual(yield* server.requests, [])
    }))
})
