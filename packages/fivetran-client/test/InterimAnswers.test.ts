import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createServer, type ServerResponse } from "node:http"
import { clientFor } from "./support/TestClient.js"
import { listenOnLoopback } from "./support/LoopbackServer.js"

const team = { id: "bright_otter", name: "Analysts", description: null, role: "Account Reviewer" }
const teamJson = JSON.stringify({ code: "Success", data: team })

/** Answers every request with `interim` first, then the team, counting requests. */
const startServer = (interim: (response: ServerResponse) => void) =>
  Effect.gen(function*() {
    let requests = 0
    const node = createServer((request, response) => {
      requests++
      request.resume()
      request.on("end", () => {
        interim(response)
        response.writeHead(200, { "content-type": "application/json" })
        response.end(teamJson)
      })
    })
    const port = yield* listenOnLoopback(node)
    return { baseUrl: `http://127.0.0.1:${port}`, requests: Effect.sync(() => requests) } as const
  })

const noBackoff = { backoffBaseMillis: 0 }

const brokenAnswer = "could not reach Fivetran: the request failed: the server's answer broke HTTP/1.1 as the client reads it " +
  "(an interim 100 Continue it did not ask for, or an answer to no request): UND_ERR_SOCKET bad response"

describe("interim (1xx) answers before the real one", () => {
  it.scopedLive("103 Early Hints and 102 Processing are passed over: the call gets the real answer", () =>
    Effect.gen(function*() {
      for (
        const interim of [
          (r: ServerResponse) => r.writeEarlyHints({ link: "</a>; rel=preload" }),
          (r: ServerResponse) => r.writeProcessing()
        ]
      ) {
        const server = yield* startServer(interim)
        const client = yield* clientFor(server.baseUrl, noBackoff)
        assert.deepStrictEqual(yield* client.getTeam("bright_otter"), team)
        assert.strictEqual(yield* server.requests, 1)
      }
    }))

  // undici's parser refuses an unasked-for 100 Continue and closes the socket before any handler
  // sees it: the call fails, retried as any transport failure, and the error says what happened.
  it.scopedLive("an unasked-for 100 Continue fails the call, saying so; a GET is retried up to its attempts, a POST is not", () =>
    Effect.gen(function*() {
      const server = yield* startServer((r) => r.writeContinue())
      const client = yield* clientFor(server.baseUrl, { ...noBackoff, maxAttempts: 3 })
      const read = yield* Effect.flip(client.getTeam("bright_otter"))
      assert.deepStrictEqual([read._tag, read.message], [
        "Transport",
        `GET /v1/teams/bright_otter: ${brokenAnswer}; gave up after 3 attempts`
      ])
      assert.strictEqual(yield* server.requests, 3)
      const write = yield* Effect.flip(client.createTeam({ name: "Analysts", role: "Account Reviewer" }))
      // Not retried: one attempt, so nothing about attempts.
      assert.deepStrictEqual([write._tag, write.message], ["Transport", `POST /v1/teams: ${brokenAnswer}`])
      assert.strictEqual(yield* server.requests, 4)
    }))
})
