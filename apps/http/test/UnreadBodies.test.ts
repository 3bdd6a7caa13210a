import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { exchange } from "./RawExchange.js"
import { sandboxedServicePort } from "./ServiceProcess.js"

/**
 * A request answered before its declared body has arrived (a GET with a body, which no endpoint
 * reads; a write the Host check refuses), over a raw socket to the bundled service: the answer says
 * `Connection: close` and the service closes the connection at once. Before, it kept the
 * connection and read and discarded whatever came, until the request's 20 s limit, for anyone.
 */

const Token = "unread-bodies-test-token"

const startService = sandboxedServicePort(Token)

/** The status line and the Connection header of what `head`, with 1,000 of its 100,000 declared bytes, was answered. */
const withPartBody = (port: number, head: string) =>
  Effect.map(
    exchange(port, `${head}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n${"x".repeat(1000)}`),
    (received) => {
      const lines = received.split("\r\n\r\n")[0]!.split("\r\n")
      return [lines[0], lines.find((line) => line.toLowerCase().startsWith("connection:"))?.toLowerCase()] as const
    }
  )

describe("a body the service does not wait for", () => {
  it.scopedLive("ends the connection with the answer; an answer to a whole request keeps it", () =>
    Effect.gen(function*() {
      const port = yield* startService
      const answers = yield* Effect.all([
        withPartBody(port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1"),
        withPartBody(port, `GET /v1/syncs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${Token}`),
        withPartBody(port, "POST /v1/syncs HTTP/1.1\r\nHost: rebound.example")
      ], { concurrency: 3 })
      assert.deepStrictEqual(answers, [
        ["HTTP/1.1 200 OK", "connection: close"],
        ["HTTP/1.1 200 OK", "connection: close"],
        ["HTTP/1.1 421 Misdirected Request", "connection: close"]
      ])
      const whole = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/healthz`))
      assert.deepStrictEqual([whole.status, whole.headers.get("connection")], [200, "keep-alive"])
    }), 120_000)
})
