import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted, Ref } from "effect"
import { type FivetranCredentials, FivetranClientConfig, makeFivetranClient } from "../src/index.js"
import { AccountInfo_7 } from "./fixtures/ApiExamples.js"
import { json, startServer } from "./support/ScriptedServer.js"

/**
 * A client whose credentials come from a source that changes (the HTTP service's credential files,
 * re-read while it runs): each request goes with the pair in force when it is sent, a 401 says
 * "swapped" of that pair only, keyAccepted is about that pair, and an error text is masked of it
 * and of the pairs before it (an answer to a request sent before a swap may echo the old secret).
 */

const pair = (key: string, secret: string): FivetranCredentials => ({ apiKey: Redacted.make(key), apiSecret: Redacted.make(secret) })

const basic = (key: string, secret: string) => `Basic ${btoa(`${key}:${secret}`)}`

// Fivetran's documentation's example shapes: a key of 16 letters and digits, a secret of 32.
const first = ["d9c4511349dd4b86", "1f6f2d161365888a1943160ccdb8d968"] as const
const second = ["a1b2c3d4e5f6a7b8", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"] as const

const refused = (message: string) => json(401, { code: "AuthFailed", message })

describe("credentials from a source that changes", () => {
  it.scopedLive("each request is sent with the pair in force; keyAccepted and the swapped hint follow it", () =>
    Effect.gen(function*() {
      const server = yield* startServer((request) =>
        request.headers["authorization"] === basic(...second) ? json(200, AccountInfo_7) : refused("Invalid authorization credentials")
      )
      const inForce = yield* Ref.make(pair(...second))
      const client = yield* makeFivetranClient(
        FivetranClientConfig.make({ credentials: Ref.get(inForce), baseUrl: server.baseUrl, maxAttempts: 1 })
      )
      assert.strictEqual((yield* client.accountInfo).account_id, AccountInfo_7.data.account_id)
      assert.isTrue(yield* client.keyAccepted)

      // The first pair given in each other's place: refused, said to look swapped; the key accepted before is not this one.
      yield* Ref.set(inForce, pair(first[1], first[0]))
      assert.isFalse(yield* client.keyAccepted)
      const error = yield* Effect.flip(client.accountInfo)
      assert.strictEqual(
        error.message,
        "GET /v1/account/info: Fivetran rejected the API key or secret (401 AuthFailed); the key given has a secret's shape " +
          "and the secret a key's: they look swapped; check the api-key and api-secret settings"
      )

      yield* Ref.set(inForce, pair(...second))
      assert.isTrue(yield* client.keyAccepted)
      assert.strictEqual((yield* client.accountInfo).account_id, AccountInfo_7.data.account_id)
      assert.deepStrictEqual((yield* server.requests).map((request) => request.headers["authorization"]), [
        basic(...second),
        basic(first[1], first[0]),
        basic(...second)
      ])
    }))

  it.scopedLive("an error text is masked of the pair in force and of the pairs before it", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() =>
        json(400, {
          code: "InvalidInput",
          message: `no key ${first[0]} with secret ${first[1]}; nor ${second[0]}:${second[1]}; nor ${btoa(`${first[0]}:${first[1]}`)}`
        })
      )
      const inForce = yield* Ref.make(pair(...first))
      const client = yield* makeFivetranClient(
        FivetranClientConfig.make({ credentials: Ref.get(inForce), baseUrl: server.baseUrl, maxAttempts: 1 })
      )
      const masked = "no key <redacted> with secret <redacted>; nor <redacted>; nor <redacted>"
      // Before any swap only the pair in force is known: the second pair is no secret yet.
      const before = yield* Effect.flip(client.accountInfo)
      assert.include(before.message, `no key <redacted> with secret <redacted>; nor ${second[0]}:${second[1]}; nor <redacted>`)
      yield* Ref.set(inForce, pair(...second))
      const after = yield* Effect.flip(client.accountInfo)
      assert.include(after.message, masked)
      for (const secret of [...first, ...second]) assert.notInclude(after.message, secret)
    }))
})
