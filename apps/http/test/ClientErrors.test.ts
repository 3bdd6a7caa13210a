import { assert, describe, it } from "@effect/vitest"
import { Effect, Ref } from "effect"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { runServiceOnce, sandboxedServicePort } from "./ServiceProcess.js"
import { connect } from "node:net"
import { exchange, uuid } from "./RawExchange.js"

/**
 * Requests Node refuses before any route sees them (its `clientError`), sent over a raw socket to
 * the bundled service: the answer carries the service's JSON error body, then the connection closes.
 */

/** Starts the bundled service on the embedded sandbox; its port, once it listens. */
const startService = sandboxedServicePort("client-errors-test-token")

/** The value of `name` in an answer's head (undefined when absent). */
const headerOf = (received: string, name: string) =>
  received.split("\r\n\r\n")[0]!.split("\r\n").slice(1).map((line) => line.split(/:\s*/, 2) as [string, string])
    .find(([key]) => key.toLowerCase() === name)?.[1]

/** The exact answer: status line, JSON headers, a new X-Request-Id (a UUID, read back from `received`), `Connection: close`, the body. */
const answer = (received: string, status: string, body: Record<string, unknown>) => {
  const json = JSON.stringify(body)
  const requestId = headerOf(received, "x-request-id") ?? ""
  assert.match(requestId, uuid, received)
  return `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${
    Buffer.byteLength(json)
  }\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${json}`
}

/**
 * Writes `first` on a new connection, and `then` on it once `first`'s whole answer (a JSON body) has
 * arrived; what arrived after that, until the server closes the connection.
 */
const afterAnswered = (port: number, first: string, then: string) =>
  Effect.async<string>((resume) => {
    const socket = connect(port, "127.0.0.1")
    let received = ""
    let sent = false
    socket.setEncoding("utf8")
    socket.on("data", (chunk: string) => {
      received += chunk
      if (!sent && received.endsWith("}")) {
        sent = true
        received = ""
        socket.write(then)
      }
    })
    socket.on("error", () => undefined)
    socket.on("close", () => resume(Effect.succeed(received)))
    socket.write(first)
    return Effect.sync(() => socket.destroy())
  }).pipe(Effect.timeout("30 seconds"))

/**
 * Sends `raw` on a connection that keeps its own side open (half-open) after the server's answer,
 * as a client that never closes does; what arrived, once the server has ended its side.
 */
const halfOpenExchange = (port: number, raw: string) =>
  Effect.async<string>((resume) => {
    const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true })
    let received = ""
    socket.setEncoding("utf8")
    socket.on("data", (chunk: string) => received += chunk)
    socket.on("error", () => undefined)
    socket.on("end", () => resume(Effect.succeed(received)))
    socket.write(raw)
    return Effect.sync(() => socket.destroy())
  }).pipe(Effect.timeout("30 seconds"))

describe("requests Node cannot take", () => {
  it.scopedLive(
    "a head over 16 KiB is 431 HeaderTooLarge, a malformed request 400 InvalidRequest, each with the JSON body and an X-Request-Id",
    () =>
      Effect.gen(function*() {
        const port = yield* startService

        const tooLarge = yield* exchange(port, `GET /v1/syncs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ${"a".repeat(17 * 1024)}\r\n\r\n`)
        assert.strictEqual(
          tooLarge,
          answer(tooLarge, "431 Request Header Fields Too Large", {
            error: "HeaderTooLarge",
            message: "the request line and headers are over 16384 bytes together, the most this service reads",
            limit_bytes: 16384
          })
        )

        const cases = [
          ["BREW /v1/syncs HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "HPE_INVALID_METHOD: Invalid method encountered"],
          ["GET /v1/syncs HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n", "HPE_INVALID_HEADER_TOKEN: Invalid header token"],
          ["GET /v1/syncs HTTP/9.9\r\n\r\n", "HPE_INVALID_VERSION: Invalid HTTP version"]
        ] as const
        const ids = new Set<string>()
        for (const [raw, parseError] of cases) {
          const received = yield* exchange(port, raw)
          assert.strictEqual(
            received,
            answer(received, "400 Bad Request", {
              error: "InvalidRequest",
              message: `the request is not well-formed HTTP/1.1 (${parseError})`
            }),
            parseError
          )
          ids.add(headerOf(received, "x-request-id")!)
        }
        assert.strictEqual(ids.size, cases.length, "each answer has an id of its own")

        // The service still answers a well-formed request as ever (a 401 without the token, in its body).
        const unauthorized = yield* exchange(port, "GET /v1/syncs HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert.match(unauthorized, /^HTTP\/1\.1 401 Unauthorized\r\n/)
        assert.match(unauthorized, /\r\n\r\n\{"error":"Unauthorized","message":"[^"]+"\}$/)
      }),
    120_000
  )

  it.scopedLive(
    "each such answer is logged with the method, route and path read, its status, request id and error, and counted by them",
    () =>
      Effect.gen(function*() {
        const cwd = yield* (yield* FileSystem.FileSystem).makeTempDirectoryScoped()
        const answered = yield* Ref.make<ReadonlyArray<string>>([])
        const refusedCounts = yield* Ref.make<ReadonlyArray<string>>([])
        const filler = `X-Filler: ${"a".repeat(17 * 1024)}\r\n`
        const { code, stderr } = yield* runServiceOnce(
          ["--sandbox", "--port", "0", "--log-format", "json", "--data-dir", `${cwd}/data`],
          { cwd, env: { BATON_HTTP_TOKENS: "client-errors-test-token" } },
          (url) =>
            Effect.gen(function*() {
              const port = Number(new URL(url).port)
              for (
                const raw of [
                  // The query (which may hold a secret) is not logged.
                  `GET /v1/syncs?page_token=query-text HTTP/1.1\r\nHost: 127.0.0.1\r\n${filler}\r\n`,
                  "BREW / HTTP/1.1\r\n\r\n",
                  `GET /${"p".repeat(300)} HTTP/1.1\r\nHost: 127.0.0.1\r\n${filler}\r\n`
                ]
              ) {
                const received = yield* exchange(port, raw)
                yield* Ref.update(answered, (ids) => [...ids, headerOf(received, "x-request-id")!])
              }
              // The second request of a kept-alive connection: the refused one is named, not the one answered before it.
              const second = yield* afterAnswered(
                port,
                "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                `DELETE /v1/grants/g1 HTTP/1.1\r\nHost: 127.0.0.1\r\n${filler}\r\n`
              )
              yield* Ref.update(answered, (ids) => [...ids, headerOf(second, "x-request-id")!])
              const scraped = yield* exchange(
                port,
                "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer client-errors-test-token\r\nConnection: close\r\n\r\n"
              )
              yield* Ref.set(refusedCounts, scraped.split("\n").filter((line) => /^http_server_requests_total\{.*status="4/.test(line)))
            }).pipe(Effect.orDie)
        )
        assert.strictEqual(code, 0, stderr)
        const [tooLarge, malformed, longPath, keptAlive] = yield* Ref.get(answered)
        const lines = stderr.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
          .filter((line) => line["msg"] === "http request" && line["error"] !== undefined)
          .map(({ msg: _msg, ts: _ts, ...fields }) => fields)
        assert.deepStrictEqual(lines, [
          {
            level: "info",
            method: "GET",
            route: "/v1/syncs",
            path: "/v1/syncs",
            status: 431,
            request_id: tooLarge,
            error: "HeaderTooLarge"
          },
          { level: "info", method: "BREW", route: "unmatched", path: "/", status: 400, request_id: malformed, error: "InvalidRequest" },
          {
            level: "info",
            method: "GET",
            route: "unmatched",
            path: `/${"p".repeat(127)}…(301 characters)`,
            status: 431,
            request_id: longPath,
            error: "HeaderTooLarge"
          },
          {
            level: "info",
            method: "DELETE",
            route: "/v1/grants/:grant_id",
            path: "/v1/grants/g1",
            status: 431,
            request_id: keptAlive,
            error: "HeaderTooLarge"
          }
        ])
        // Counted with every other answer, by the same labels, so an alert or a dashboard per route sees them;
        // a method Node does not know is `_OTHER`, as the label's values stay bounded.
        assert.deepStrictEqual(yield* Ref.get(refusedCounts), [
          `http_server_requests_total{method="DELETE",route="/v1/grants/:grant_id",status="431"} 1`,
          `http_server_requests_total{method="GET",route="/v1/syncs",status="431"} 1`,
          `http_server_requests_total{method="GET",route="unmatched",status="431"} 1`,
          `http_server_requests_total{method="_OTHER",route="unmatched",status="400"} 1`
        ])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive("every other client error carries an X-Request-Id too: a 400 for bad JSON, a 401, a 404", () =>
    Effect.gen(function*() {
      const port = yield* startService
      const send = (head: string, body = "") =>
        exchange(port, `${head}\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`)
      const authorized = "Authorization: Bearer client-errors-test-token"
      const answers = [
        yield* send(`POST /v1/syncs HTTP/1.1\r\n${authorized}\r\nContent-Type: application/json`, "{x"),
        yield* send("GET /v1/syncs HTTP/1.1"),
        yield* send(`GET /no/such/path HTTP/1.1\r\n${authorized}`)
      ]
      assert.deepStrictEqual(answers.map((received) => [received.split("\r\n")[0], received.split("\r\n\r\n")[1]]), [
        [
          "HTTP/1.1 400 Bad Request",
          JSON.stringify({ error: "InvalidRequest", message: "the request body is not valid JSON", field: "body" })
        ],
        [
          "HTTP/1.1 401 Unauthorized",
          JSON.stringify({ error: "Unauthorized", message: "missing Authorization header; send `Authorization: Bearer <token>`" })
        ],
        [
          "HTTP/1.1 404 Not Found",
          JSON.stringify({ error: "NotFound", message: "no endpoint GET /no/such/path; the endpoints are listed in /openapi.json" })
        ]
      ])
      for (const received of answers) assert.match(headerOf(received, "x-request-id") ?? "", uuid, received)
    }), 120_000)

  it.scopedLive(
    "a CONNECT's connection is closed by the service, not left half-open; one behind a GET waits for the GET's answer",
    () =>
      Effect.gen(function*() {
        const cwd = yield* (yield* FileSystem.FileSystem).makeTempDirectoryScoped()
        const answers = yield* Ref.make<ReadonlyArray<string>>([])
        const { code, stderr } = yield* runServiceOnce(
          ["--sandbox", "--port", "0", "--max-connections", "2", "--data-dir", `${cwd}/data`],
          { cwd, env: { BATON_HTTP_TOKENS: "client-errors-test-token" } },
          (url) =>
            Effect.gen(function*() {
              const port = Number(new URL(url).port)
              // Two clients that never close their side: each answered, then closed by the service. Ended
              // only, each held one of the two connections --max-connections allows, and /healthz was refused.
              for (let i = 0; i < 2; i++) {
                const tunnel = yield* halfOpenExchange(port, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
                yield* Ref.update(answers, (all) => [...all, tunnel.split("\r\n")[0]!])
              }
              yield* Effect.sleep("200 millis")
              const health = yield* exchange(port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
              yield* Ref.update(answers, (all) => [...all, health.split("\r\n")[0]!])
              // Pipelined behind a GET: the GET's answer first, then the CONNECT's.
              const pipelined = yield* exchange(
                port,
                "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nCONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
              )
              // A status line follows the body before it with no line break.
              yield* Ref.update(answers, (all) => [...all, ...pipelined.match(/HTTP\/1\.1 \d{3} [^\r]*/g) ?? []])
            }).pipe(Effect.orDie)
        )
        // The stop finished: no connection was left open to hold it.
        assert.strictEqual(code, 0, stderr)
        assert.deepStrictEqual(yield* Ref.get(answers), [
          "HTTP/1.1 400 Bad Request",
          "HTTP/1.1 400 Bad Request",
          "HTTP/1.1 200 OK",
          "HTTP/1.1 200 OK",
          "HTTP/1.1 400 Bad Request"
        ])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "an Expect other than 100-continue is 417 ExpectationFailed, a CONNECT 400, in the JSON body, with an X-Request-Id, logged and counted",
    () =>
      Effect.gen(function*() {
        const cwd = yield* (yield* FileSystem.FileSystem).makeTempDirectoryScoped()
        const received = yield* Ref.make("")
        const tunnel = yield* Ref.make("")
        const counted = yield* Ref.make<ReadonlyArray<string>>([])
        const { code, stderr } = yield* runServiceOnce(
          ["--sandbox", "--port", "0", "--log-format", "json", "--data-dir", `${cwd}/data`],
          { cwd, env: { BATON_HTTP_TOKENS: "client-errors-test-token" } },
          (url) =>
            Effect.gen(function*() {
              const port = Number(new URL(url).port)
              yield* Ref.set(
                received,
                yield* exchange(
                  port,
                  "POST /v1/syncs?page_token=query-text HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: secret-ish-value\r\n" +
                    "Content-Length: 2\r\n\r\n{}"
                )
              )
              // Node closed a CONNECT's connection without an answer.
              yield* Ref.set(tunnel, yield* exchange(port, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"))
              const scraped = yield* exchange(
                port,
                "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer client-errors-test-token\r\nConnection: close\r\n\r\n"
              )
              yield* Ref.set(counted, scraped.split("\n").filter((line) => /^http_server_requests_total\{.*status="(417|400)/.test(line)))
            }).pipe(Effect.orDie)
        )
        assert.strictEqual(code, 0, stderr)
        const expectation = yield* Ref.get(received)
        const requestId = headerOf(expectation, "x-request-id") ?? ""
        assert.match(requestId, uuid, expectation)
        assert.deepStrictEqual(
          [
            expectation.split("\r\n")[0],
            headerOf(expectation, "content-type"),
            headerOf(expectation, "connection"),
            expectation.split("\r\n\r\n")[1]
          ],
          [
            "HTTP/1.1 417 Expectation Failed",
            "application/json",
            "close",
            JSON.stringify({
              error: "ExpectationFailed",
              message: "the request's Expect header asks for something this service does not do; send it without Expect " +
                "(or with `Expect: 100-continue`)"
            })
          ]
        )
        const tunnelAnswer = yield* Ref.get(tunnel)
        assert.strictEqual(
          tunnelAnswer,
          answer(tunnelAnswer, "400 Bad Request", {
            error: "InvalidRequest",
            message: "CONNECT asks for a tunnel, and this service is no proxy: send requests to it directly"
          })
        )
        const lines = stderr.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
          .filter((line) => line["msg"] === "http request" && line["error"] !== undefined)
          .map(({ msg: _msg, ts: _ts, ...fields }) => fields)
        assert.deepStrictEqual(lines, [{
          level: "info",
          method: "POST",
          route: "/v1/syncs",
          path: "/v1/syncs",
          status: 417,
          request_id: requestId,
          error: "ExpectationFailed"
        }, {
          level: "info",
          method: "CONNECT",
          route: "unmatched",
          status: 400,
          request_id: headerOf(tunnelAnswer, "x-request-id"),
          error: "InvalidRequest"
        }])
        assert.deepStrictEqual(yield* Ref.get(counted), [
          `http_server_requests_total{method="CONNECT",route="unmatched",status="400"} 1`,
          `http_server_requests_total{method="POST",route="/v1/syncs",status="417"} 1`
        ])
        assert.notInclude(stderr, "secret-ish-value")
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
