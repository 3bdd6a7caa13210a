import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { createServer } from "node:https"
import { clientFor } from "./support/TestClient.js"
import { listenOnLoopback } from "./support/LoopbackServer.js"

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url))

/**
 * An HTTPS server on 127.0.0.1 with a self-signed certificate (test/fixtures, valid until 2126), as
 * a proxy that inspects TLS presents one signed by its own CA; counts the connections made to it.
 */
const startSelfSignedServer = Effect.gen(function*() {
  let connections = 0
  const node = createServer({ key: fixture("self-signed.key.pem"), cert: fixture("self-signed.cert.pem") }, (_request, response) => {
    response.writeHead(200, { "content-type": "application/json" })
    response.end("{}")
  })
  node.on("connection", () => connections++)
  const port = yield* listenOnLoopback(node)
  return { baseUrl: `https://127.0.0.1:${port}`, connections: Effect.sync(() => connections) } as const
})

const refused = "could not reach Fivetran: the server's TLS certificate was refused (DEPTH_ZERO_SELF_SIGNED_CERT self-signed " +
  "certificate), so nothing was sent; behind a proxy that inspects TLS, give its CA certificate in NODE_EXTRA_CA_CERTS"

describe("a TLS certificate this machine does not trust", () => {
  it.scoped("fails a GET at once, without retrying into the same certificate, saying what to do", () =>
    Effect.gen(function*() {
      const server = yield* startSelfSignedServer
      const client = yield* clientFor(server.baseUrl, { backoffBaseMillis: 0 })
      const error = yield* Effect.flip(client.getTeam("bright_otter"))
      assert.deepStrictEqual([error._tag, error.message], ["Transport", `GET /v1/teams/bright_otter: ${refused}`])
      if (error._tag === "Transport") assert.deepStrictEqual([error.connectFailed, error.certificateRefused], [true, true])
      assert.strictEqual(yield* server.connections, 1)
    }))

  it.scoped("fails a POST the same way: nothing was sent, and nothing is sent again", () =>
    Effect.gen(function*() {
      const server = yield* startSelfSignedServer
      const client = yield* clientFor(server.baseUrl, { backoffBaseMillis: 0 })
      const error = yield* Effect.flip(client.createTeam({ name: "Analysts", role: "Account Reviewer" }))
      assert.deepStrictEqual([error._tag, error.message], ["Transport", `POST /v1/teams: ${refused}`])
      assert.strictEqual(yield* server.connections, 1)
    }))
})
