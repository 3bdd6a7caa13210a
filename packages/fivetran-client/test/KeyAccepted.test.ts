import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { AccountInfo_7 } from "./fixtures/ApiExamples.js"
import { json, startServer, text } from "./support/ScriptedServer.js"
import { clientFor } from "./support/TestClient.js"

describe("keyAccepted", () => {
  it.scopedLive("turns true with the first 2xx answer that is no HTML page; refusals, server errors and portals leave it false", () =>
    Effect.gen(function*() {
      const server = yield* startServer((_, index) =>
        [
          json(401, { code: "AuthFailed", message: "Invalid authorization credentials" }),
          json(403, { code: "Forbidden", message: "no" }),
          json(503, { code: "ServiceUnavailable", message: "down" }),
          text(200, "<!DOCTYPE html><html><body>Sign in to the Wi-Fi</body></html>", "text/html"),
          text(200, "not json", "application/json"),
          json(200, AccountInfo_7)
        ][index]!
      )
      const client = yield* clientFor(server.baseUrl, { maxAttempts: 1 })
      assert.isFalse(yield* client.keyAccepted)
      for (const tag of ["Unauthorized", "Forbidden", "ServerError"]) {
        assert.strictEqual((yield* Effect.flip(client.accountInfo))._tag, tag)
        assert.isFalse(yield* client.keyAccepted)
      }
      // An HTML page (a captive portal, a wrong base URL) shows nothing of the key: before, /readyz
      // said "the key worked before" for a service that had never reached Fivetran.
      assert.strictEqual((yield* Effect.flip(client.accountInfo))._tag, "InvalidResponse")
      assert.isFalse(yield* client.keyAccepted)
      // An answer that does not decode still came to an accepted key.
      assert.strictEqual((yield* Effect.flip(client.accountInfo))._tag, "InvalidResponse")
      assert.isTrue(yield* client.keyAccepted)
      assert.strictEqual((yield* client.accountInfo).account_id, AccountInfo_7.data.account_id)
      assert.isTrue(yield* client.keyAccepted)
    }))
})
