import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { exchange } from "./RawExchange.js"
import { sandboxedServicePort } from "./ServiceProcess.js"

/**
 * A chunked request body (no Content-Length) that passes the 64 KiB cap, over a raw socket to the
 * bundled service. The platform's body stream destroyed the request at the cap, so its 413 was
 * never sent: the client saw the connection drop, and no log line or metric counted the refusal,
 * with or without a token. It is now answered, counted and logged as a declared size over the cap
 * is; the answer closes the connection, the rest of the body unread.
 */

const Token = "chunked-body-over-cap-token"

/** `chunks` chunks of 16 KiB, framed as HTTP/1.1 chunked encoding, then its last chunk. */
const chunkedBody = (chunks: number) => `${`4000\r\n${"x".repeat(16 * 1024)}\r\n`.repeat(chunks)}0\r\n\r\n`

/** The status line and body of the answer to a chunked POST of `body`, with `headers`. */
const post = (port: number, headers: string, body: string) =>
  Effect.map(
    exchange(
      port,
      `POST /v1/syncs HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Content-Type: application/json\r\n` +
        `Transfer-Encoding: chunked\r\n\r\n${body}`
    ),
    (received) => [received.split("\r\n")[0], received.split("\r\n\r\n")[1], /\r\nconnection: close\r\n/i.test(received)] as const
  )

describe("a chunked request body past the cap", () => {
  it.scopedLive("is answered 413, with or without a token, counted, and the connection closed", () =>
    Effect.gen(function*() {
      const port = yield* sandboxedServicePort(Token)
      const refused = [
        "HTTP/1.1 413 Payload Too Large",
        JSON.stringify({ error: "PayloadTooLarge", message: "the request body is larger than 65536 bytes", limit_bytes: 65536 }),
        true
      ] as const
      assert.deepStrictEqual(yield* post(port, `Authorization: Bearer ${Token}\r\n`, chunkedBody(5)), refused)
      assert.deepStrictEqual(yield* post(port, "", chunkedBody(5)), refused)
      const metrics = yield* Effect.promise(() =>
        fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${Token}` } }).then((response) => response.text())
      )
      assert.deepStrictEqual(metrics.split("\n").filter((line) => line.startsWith("http_server_requests_total{")), [
        `http_server_requests_total{method="POST",route="/v1/syncs",status="413"} 2`
      ])
    }), 120_000)
})
