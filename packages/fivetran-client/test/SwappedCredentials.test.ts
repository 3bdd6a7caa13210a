import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { FivetranClientConfig, makeFivetranClient } from "../src/index.js"
import { looksSwapped } from "../src/SwappedCredentials.js"
import { json, startServer } from "./support/ScriptedServer.js"

/**
 * A key and secret given in each other's place: Fivetran's 401 says only that it refused them, so
 * the client's error says they look swapped when the key has the secret's shape and the secret the
 * key's, and never quotes either. Before, every 401 read alike ("check --api-key and --api-secret").
 */

// Fivetran's documentation's example pair (REST API, Getting Started).
const docsKey = "d9c4511349dd4b86"
const docsSecret = "1f6f2d161365888a1943160ccdb8d968"

const refusedWith = (apiKey: string, apiSecret: string) =>
  Effect.gen(function*() {
    const server = yield* startServer(() => json(401, { code: "AuthFailed", message: "Invalid authorization credentials" }))
    const client = yield* makeFivetranClient(
      FivetranClientConfig.make({
        apiKey: Redacted.make(apiKey),
        apiSecret: Redacted.make(apiSecret),
        baseUrl: server.baseUrl,
        maxAttempts: 1
      })
    )
    return yield* Effect.flip(client.accountInfo)
  })

describe("a 401 with the key and secret swapped", () => {
  it.scopedLive("says they look swapped, without either value", () =>
    Effect.gen(function*() {
      const error = yield* refusedWith(docsSecret, docsKey)
      assert.strictEqual(
        error.message,
        "GET /v1/account/info: Fivetran rejected the API key or secret (401 AuthFailed); the key given has a secret's shape " +
          "and the secret a key's: they look swapped; check the api-key and api-secret settings"
      )
    }))

  it.scopedLive("a pair in its order, refused, reads as before", () =>
    Effect.gen(function*() {
      const error = yield* refusedWith(docsKey, docsSecret)
      assert.strictEqual(
        error.message,
        "GET /v1/account/info: Fivetran rejected the API key or secret (401 AuthFailed); check the api-key and api-secret settings"
      )
    }))

  it("the shapes: Fivetran's and the sandbox's keys, each only when both are swapped", () => {
    const sandboxKey = "sandbox_key_9cc9b8b04715113f"
    const sandboxSecret = "b013843dabb9b99e1915c6a3d1ff9d4c"
    assert.deepStrictEqual(
      [
        looksSwapped(docsSecret, docsKey),
        looksSwapped(sandboxSecret, sandboxKey),
        looksSwapped(docsKey, docsSecret),
        looksSwapped(sandboxKey, sandboxSecret),
        // A wrong secret of no key's shape, or a key given twice: not a swap.
        looksSwapped(docsSecret, "not-the-secret-0123456789"),
        looksSwapped(docsKey, docsKey),
        looksSwapped(docsSecret, docsSecret)
      ],
      [true, true, false, false, false, false, false]
    )
  })
})
