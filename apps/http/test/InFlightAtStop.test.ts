import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { Socket } from "node:net"
import { serviceServer } from "../src/ClientErrors.js"
import { DefaultKeepAliveMillis } from "../src/IdleConnections.js"
import { listenOnLoopback } from "./LoopbackPort.js"
import { exchange } from "./RawExchange.js"
import { serviceProcessOver } from "./ServiceProcess.js"

/**
 * Requests still in flight as the service's server closes (its stop): each is answered, then its
 * connection ends, and the close completes. Node's close waited for them and then kept their
 * connections for the client's next request, up to the keep-alive timeout (65 s), which held the
 * stop as long. The test's timeout is far shorter, so a close that waits for that fails it.
 * A connection with no request on it yet (nothing sent, or part of a head) is ended at the close:
 * Node waited for its client to hang up, which one that sends nothing more never does.
 */

describe("requests in flight as the service's server closes", () => {
  it.scopedLive("each is answered, its connection ends after its answer, and the close completes", () =>
    Effect.gen(function*() {
      const server = serviceServer(() => undefined, undefined, DefaultKeepAliveMillis)
      const arrived = { whole: yield* Deferred.make<ServerResponse>(), streamed: yield* Deferred.make<ServerResponse>() }
      server.on("request", (request: IncomingMessage, response: ServerResponse) => {
        if (request.url === "/streamed") {
          // Its head and first bytes are sent before the close: it cannot say `Connection: close` any more.
          response.writeHead(200, { "content-type": "text/plain" })
          response.write("first,")
          Deferred.unsafeDone(arrived.streamed, Effect.succeed(response))
        } else Deferred.unsafeDone(arrived.whole, Effect.succeed(response))
      })
      const port = yield* listenOnLoopback(server)
      // Each asks to keep its connection (HTTP/1.1's default): the server's close ends it all the same.
      const whole = yield* Effect.fork(exchange(port, "GET /whole HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
      const streamed = yield* Effect.fork(exchange(port, "GET /streamed HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
      const [wholeResponse, streamedResponse] = yield* Effect.all([Deferred.await(arrived.whole), Deferred.await(arrived.streamed)])

      const closed = yield* Deferred.make<void>()
      server.close(() => Deferred.unsafeDone(closed, Effect.void))
      wholeResponse.setHeader("content-type", "text/plain")
      wholeResponse.end("whole")
      streamedResponse.end("last")

      const [wholeReceived, streamedReceived] = yield* Effect.all([whole, streamed], { concurrency: 2 })
      assert.match(wholeReceived, /^HTTP\/1\.1 200 OK\r\n[^]*\r\nConnection: close\r\n[^]*\r\n\r\nwhole$/)
      assert.match(
        streamedReceived,
        /^HTTP\/1\.1 200 OK\r\n[^]*\r\nConnection: keep-alive\r\n[^]*\r\n\r\n6\r\nfirst,\r\n4\r\nlast\r\n0\r\n\r\n$/
      )
      yield* Deferred.await(closed)
      assert.isFalse(server.listening)
    }).pipe(Effect.timeout("20 seconds")), { timeout: 30_000 })

  it.scopedLive(
    "a connection that has sent nothing, or part of a head, is ended at once and the close completes",
    () =>
      Effect.gen(function*() {
        const server = serviceServer(() => undefined, undefined, DefaultKeepAliveMillis)
        const accepted = yield* Deferred.make<void>()
        const headPart = yield* Deferred.make<void>()
        let connections = 0
        server.on("connection", (socket: Socket) => {
          if (++connections === 2) Deferred.unsafeDone(accepted, Effect.void)
          socket.once("data", () => Deferred.unsafeDone(headPart, Effect.void))
        })
        const port = yield* listenOnLoopback(server)
        const silent = yield* Effect.fork(exchange(port, ""))
        const partial = yield* Effect.fork(exchange(port, "GET /healthz HTTP/1.1\r\nHost: 127"))
        yield* Effect.all([Deferred.await(accepted), Deferred.await(headPart)])

        const closed = yield* Deferred.make<void>()
        server.close(() => Deferred.unsafeDone(closed, Effect.void))
        assert.deepStrictEqual(yield* Effect.all([silent, partial], { concurrency: 2 }), ["", ""])
        yield* Deferred.await(closed)
        assert.isFalse(server.listening)
      }).pipe(Effect.timeout("20 seconds")),
    { timeout: 30_000 }
  )
  it.scopedLive(
    "a request whose body is still arriving keeps its arrival limit through the close: answered 408, and the close completes",
    () =>
      Effect.gen(function*() {
        const server = serviceServer(() => undefined, 1_000, DefaultKeepAliveMillis)
        const reading = yield* Deferred.make<void>()
        server.on("request", (request: IncomingMessage, response: ServerResponse) => {
          // As the service does: the body is read whole before the answer.
          request.on("data", () => Deferred.unsafeDone(reading, Effect.void))
          request.on("end", () => response.end("read"))
        })
        const port = yield* listenOnLoopback(server)
        const trickling = yield* Effect.fork(
          exchange(port, "POST /v1/syncs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        )
        yield* Deferred.await(reading)

        const closed = yield* Deferred.make<void>()
        server.close(() => Deferred.unsafeDone(closed, Effect.void))
        assert.match(yield* trickling, /^HTTP\/1\.1 408 Request Timeout\r\n[^]*"error":"RequestTimeout"/)
        yield* Deferred.await(closed)
      }).pipe(Effect.timeout("20 seconds")),
    { timeout: 30_000 }
  )
  it.scopedLive(
    "a request an upgrade took over (curl --http2's Upgrade: h2c) is answered after the close begins",
    () =>
      Effect.gen(function*() {
        const server = serviceServer(() => undefined, undefined, DefaultKeepAliveMillis)
        const arrived = yield* Deferred.make<Socket>()
        server.on("upgrade", (_request: IncomingMessage, socket: Socket) => Deferred.unsafeDone(arrived, Effect.succeed(socket)))
        const port = yield* listenOnLoopback(server)
        const upgrading = yield* Effect.fork(exchange(
          port,
          "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n"
        ))
        const socket = yield* Deferred.await(arrived)

        const closed = yield* Deferred.make<void>()
        server.close(() => Deferred.unsafeDone(closed, Effect.void))
        socket.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        assert.strictEqual(yield* upgrading, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        yield* Deferred.await(closed)
      }).pipe(Effect.timeout("20 seconds")),
    { timeout: 30_000 }
  )
  it.scopedLive(
    "the bundled service's SIGTERM ends a silent connection and a half-sent head at once, and it exits 0",
    () =>
      Effect.gen(function*() {
        const dataDir = yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-http-stop-" }))
        const service = yield* serviceProcessOver(dataDir, ["--sandbox", "--port", "0"])
        const port = Number(new URL(service.url).port)
        const silent = yield* Effect.fork(exchange(port, ""))
        const partial = yield* Effect.fork(exchange(port, "GET /healthz HTTP/1.1\r\nHost: 127"))
        // Both connect first (the forks run as this fiber yields), so that a third's answer says the service accepted them.
        yield* Effect.yieldNow()
        const answered = yield* exchange(port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert.match(answered, /^HTTP\/1\.1 200 OK\r\n/)
        assert.strictEqual(yield* service.stop, 0)
        assert.deepStrictEqual(yield* Effect.all([silent, partial], { concurrency: 2 }), ["", ""])
      }).pipe(Effect.timeout("40 seconds"), Effect.provide(NodeContext.layer)),
    { timeout: 60_000 }
  )
})
