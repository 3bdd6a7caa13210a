import { HttpServerResponse } from "@effect/platform"
import { assert, it } from "@effect/vitest"
import { Effect } from "effect"
import { createServer, get, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { pipeline, Readable } from "node:stream"
import { type FollowedAnswer, followStreamed } from "../src/StreamedAnswers.js"

/**
 * A file's body ends once its declared bytes are sent, not at the file's end, which Node's file
 * stream finds by one more read: a client that knows the length (Content-Length) hangs up after the
 * last byte, and under load it beat that read, so a download read whole was logged aborted.
 */

const declared = 70_000

/** A source that gives its declared bytes and then waits, as a file whose last read is slow. */
const slowToEnd = () => {
  const source = new Readable({ read() {} })
  source.push(Buffer.alloc(declared, 1))
  return source
}

/**
 * Serves `source` once as the platform sends a raw body (piped to the Node response), reads it with a
 * client that hangs up after the declared bytes, and answers what the client got and how the answer ended.
 */
const serveOnce = (source: Readable) =>
  Effect.async<{ readonly received: number; readonly answer: ReturnType<FollowedAnswer["ending"]> }>((resume) => {
    let followed: FollowedAnswer | undefined
    let received = 0
    // Both sides closed: the client has what it will get, the service knows how the answer ended.
    let closed = 0
    const sideClosed = () => {
      if (++closed < 2) return
      server.close()
      source.destroy()
      resume(Effect.succeed({ received, answer: followed!.ending() }))
    }
    const server = createServer((_request, connection: ServerResponse) => {
      const response = HttpServerResponse.raw(source, { contentLength: declared, contentType: "application/octet-stream" })
      followed = followStreamed(response, connection)
      const body = followed!.response.body
      if (body._tag !== "Raw" || !(body.body instanceof Readable)) throw new Error("expected a Node stream body")
      connection.writeHead(200, { "content-length": String(declared) })
      connection.once("close", sideClosed)
      pipeline(body.body, connection, () => {})
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      get(`http://127.0.0.1:${port}/`, { agent: false }, (response) => {
        response.on("data", (chunk: Buffer) => received += chunk.byteLength)
        response.on("close", sideClosed)
      })
    })
  })

it.live("a body whose declared bytes are all sent is completed, though its source has not ended", () =>
  Effect.gen(function*() {
    assert.deepStrictEqual(yield* serveOnce(slowToEnd()), { received: declared, answer: { end: "completed", bytes: declared } })
  }))

it.live("a source longer than its Content-Length sends the declared bytes, completed", () =>
  Effect.gen(function*() {
    const source = slowToEnd()
    source.push(Buffer.alloc(5_000, 2))
    assert.deepStrictEqual(yield* serveOnce(source), { received: declared, answer: { end: "completed", bytes: declared } })
  }))
