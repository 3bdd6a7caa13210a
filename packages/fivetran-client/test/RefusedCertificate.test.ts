import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { startSelfSignedServer } from "./support/SelfSignedServer.js"
import { clientFor } from "./support/TestClient.js"

const refused = "could not reach Fivetran: the server's TLS certificate was refused (DEPTH_ZERO_SELF_SIGNED_CERT self-signed " +
  "certificate), so nothing was sent; behind a proxy that inspects TLS, give its CA certificate in NODE_EXTRA_CA_CERTS"

/** No NODE_EXTRA_CA_CERTS, whatever the machine running the tests sets (extra-ca-certs.test.ts in apps/cli has it set). */
const withoutExtraCa = Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))

describe("a TLS certificate this machine does not trust", () => {
  it.scopedLive("fails a GET at once, without retrying into the same certificate, saying what to do", () =>
    Effect.gen(function*() {
      const server = yield* startSelfSignedServer
      const client = yield* clientFor(server.baseUrl, { backoffBaseMillis: 0 })
      const error = yield* Effect.flip(client.getTeam("bright_otter"))
      assert.deepStrictEqual([error._tag, error.message], ["Transport", `GET /v1/teams/bright_otter: ${refused}`])
      if (error._tag === "Transport") assert.deepStrictEqual([error.connectFailed, error.certificateRefused], [true, true])
      assert.strictEqual(yield* server.connections, 1)
    }).pipe(withoutExtraCa))

  it.scopedLive("fails a POST the same way: nothing was sent, and nothing is sent again", () =>
    Effect.gen(function*() {
      const server = yield* startSelfSignedServer
      const client = yield* clientFor(server.baseUrl, { backoffBaseMillis: 0 })
      const error = yield* Effect.flip(client.createTeam({ name: "Analysts", role: "Account Reviewer" }))
      assert.deepStrictEqual([error._tag, error.message], ["Transport", `POST /v1/teams: ${refused}`])
      assert.strictEqual(yield* server.connections, 1)
    }).pipe(withoutExtraCa))
})
