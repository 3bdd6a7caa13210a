import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Ref } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import { serviceServer } from "../src/ClientErrors.js"
import type { ClientErrorLog } from "../src/RefusedRequestLog.js"
import { exchange, uuid } from "./RawExchange.js"
import { runServiceOnce } from "./ServiceProcess.js"

/**
 * A request Node refuses (here a head over 16 KiB: 431) pipelined behind another in the same packet,
 * over a raw socket to the bundled service. Once the first request's answer had started, the refusal
 * was dropped and the connection closed: the refused request was neither answered nor logged. It
 * now follows the first request's answer, and is logged as any refusal is.
 */

const Token = "pipelined-refusals-test-token"
const filler = `X-Filler: ${"a".repeat(17 * 1024)}\r\n`
const refused = `GET /v1/syncs?page_token=x HTTP/1.1\r\nHost: 127.0.0.1\r\n${filler}\r\n`

const refusalBody = JSON.stringify({
  error: "HeaderTooLarge",
  message: "the request line and headers are over 16384 bytes together, the most this service reads",
  limit_bytes: 16384
})

/** The service's exact 431 for `requestId`, as its last answer on the connection. */
const headerTooLarge = (requestId: string) =>
  `HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: application/json\r\nContent-Length: ${refusalBody.length}\r\n` +
  `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${refusalBody}`

/** The answers on one connection, in order: each status line, body and X-Request-Id. */
const answersOf = (received: string) =>
  received.split(/(?=HTTP\/1\.1 \d{3} )/).map((answer) => ({
    status: answer.split("\r\n")[0],
    body: answer.split("\r\n\r\n")[1],
    requestId: /\r\nx-request-id: ([^\r]*)\r\n/i.exec(answer)?.[1]
  }))

describe("a refused request pipelined behind another", () => {
  it.scopedLive("is answered after the earlier request's answer, then the connection closes, and is logged", () =>
    Effect.gen(function*() {
      const cwd = yield* (yield* FileSystem.FileSystem).makeTempDirectoryScoped()
      const received = yield* Ref.make<ReadonlyArray<string>>([])
      const { code, stderr } = yield* runServiceOnce(
        ["--sandbox", "--port", "0", "--log-format", "json", "--data-dir", `${cwd}/data`],
        { cwd, env: { BATON_HTTP_TOKENS: Token } },
        (url) =>
          Effect.gen(function*() {
            const port = Number(new URL(url).port)
            for (
              const first of [
                "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                `GET /v1/syncs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${Token}\r\n\r\n`
              ]
            ) {
              const answer = yield* exchange(port, first + refused)
              yield* Ref.update(received, (all) => [...all, answer])
            }
          }).pipe(Effect.orDie)
      )
      assert.strictEqual(code, 0, stderr)
      const answers = yield* Ref.get(received)
      assert.deepStrictEqual(answers.map((all) => answersOf(all).map(({ body, status }) => [status, body])), [
        [["HTTP/1.1 200 OK", "{\"status\":\"ok\"}"], ["HTTP/1.1 431 Request Header Fields Too Large", refusalBody]],
        [["HTTP/1.1 200 OK", "{\"items\":[]}"], ["HTTP/1.1 431 Request Header Fields Too Large", refusalBody]]
      ])
      const refusalIds = answers.map((all) => answersOf(all)[1]!.requestId ?? "")
      for (const requestId of refusalIds) assert.match(requestId, uuid)
      assert.deepStrictEqual(answers.map((all) => all.slice(all.indexOf("HTTP/1.1 431"))), refusalIds.map(headerTooLarge))
      const refusals = stderr.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line["msg"] === "http request" && line["status"] === 431)
        .map(({ msg: _msg, ts: _ts, ...fields }) => fields)
      assert.deepStrictEqual(
        refusals,
        refusalIds.map((requestId) => ({
          level: "info",
          method: "GET",
          route: "/v1/syncs",
          path: "/v1/syncs",
          status: 431,
          request_id: requestId,
          error: "HeaderTooLarge"
        }))
      )
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive("waits for an earlier answer sent later: written at once, it was read as that answer, which was lost", () =>
    Effect.gen(function*() {
      const logged: Array<ClientErrorLog> = []
      const server = serviceServer((answered) => logged.push(answered))
      // Answered once the refusal has been seen, as a route that waits on Fivetran or a sync file is.
      server.on("request", (_request: IncomingMessage, response: ServerResponse) => {
        const answer = () => logged.length === 0 ? setImmediate(answer) : response.end("served")
        answer()
      })
      const port = yield* Effect.acquireRelease(
        Effect.async<number>((resume) => {
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as { readonly port: number }).port)))
        }),
        () => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
      )
      const received = yield* exchange(port, "GET /first HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + refused)
      const requestId = answersOf(received)[1]?.requestId ?? ""
      assert.match(requestId, uuid, received)
      assert.match(received, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nserved/)
      assert.strictEqual(received.slice(received.indexOf("HTTP/1.1 431")), headerTooLarge(requestId))
      assert.deepStrictEqual(logged, [
        { method: "GET", route: "/v1/syncs", path: "/v1/syncs", status: 431, request_id: requestId, error: "HeaderTooLarge" }
      ])
    }))
})
