import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { spawn } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import type { IncomingMessage, Server, ServerResponse } from "node:http"
import { connect, createServer as createTcpServer, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { serviceServer } from "../src/ClientErrors.js"
import type { ClientErrorLog } from "../src/RefusedRequestLog.js"
import { listenOnLoopback } from "./LoopbackPort.js"
import { exchange, uuid } from "./RawExchange.js"
import { serviceBundle } from "./ServiceProcess.js"

/**
 * Requests that reach the port while no handler serves it: at start they wait for the handler, and
 * once it has gone (stop, or a start that failed after the port opened) they are answered 503.
 */

const listening = (server: Server) =>
  Effect.acquireRelease(
    listenOnLoopback(server),
    () => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
  )

/**
 * Sends a GET whose head asks `Expect: 100-continue`: Node writes the interim 100 exactly as it
 * emits the request, so its arrival says the server has the request. Succeeds then with the rest
 * of the exchange (everything until the server closes the connection).
 */
const requestSeen = (port: number, path: string) =>
  Effect.async<Effect.Effect<string>>((resume) => {
    const socket: Socket = connect(port, "127.0.0.1")
    let received = ""
    let seen = false
    let closed: (() => void) | undefined
    const done = new Promise<void>((resolve) => closed = resolve)
    socket.setEncoding("utf8")
    socket.on("error", () => undefined)
    socket.on("data", (chunk: string) => {
      received += chunk
      if (!seen && received.includes("\r\n\r\n")) {
        seen = true
        assert.match(received, /^HTTP\/1\.1 100 Continue\r\n\r\n$/)
        received = ""
        resume(Effect.succeed(Effect.map(Effect.promise(() => done), () => received)))
      }
    })
    socket.on("close", () => closed?.())
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n`)
    return Effect.sync(() => socket.destroy())
  }).pipe(Effect.timeout("30 seconds"))

/** A 503 ServiceStopping exactly, with its X-Request-Id; the id, read back. */
const stoppingAnswer = (received: string) => {
  const requestId = /\r\nX-Request-Id: ([^\r]*)\r\n/.exec(received)?.[1] ?? ""
  assert.match(requestId, uuid, received)
  const body = "{\"error\":\"ServiceStopping\",\"message\":\"the service is stopping; send the request again once it runs\"}"
  assert.match(
    received,
    new RegExp(
      `^HTTP/1\\.1 503 Service Unavailable\\r\\nContent-Type: application/json\\r\\nContent-Length: ${body.length}\\r\\n` +
        `X-Request-Id: ${requestId}\\r\\nRetry-After: 1\\r\\nDate: [^\\r]+\\r\\nConnection: close\\r\\n\\r\\n`
    )
  )
  assert.strictEqual(received.split("\r\n\r\n")[1], body)
  return requestId
}

const served = (_request: IncomingMessage, response: ServerResponse) => response.end("served")

describe("requests no handler serves", () => {
  it.scopedLive("one that arrives before the handler waits for it, one after the handler has gone is answered 503", () =>
    Effect.gen(function*() {
      const logged: Array<ClientErrorLog> = []
      const server = serviceServer((answered) => logged.push(answered))
      const port = yield* listening(server)

      const early = yield* requestSeen(port, "/early")
      server.on("request", served)
      assert.match(yield* early, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nserved$/)
      assert.deepStrictEqual(logged, [])

      server.off("request", served)
      const late = yield* exchange(port, "GET /late?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
      const requestId = stoppingAnswer(late)
      assert.deepStrictEqual(logged, [
        { method: "GET", route: "unmatched", path: "/late", status: 503, request_id: requestId, error: "ServiceStopping" }
      ])
    }))

  it.scopedLive("one whose caller went away while it waited is not passed to the handler", () =>
    Effect.gen(function*() {
      const server = serviceServer(() => undefined)
      const port = yield* listening(server)
      const seen: Array<string | undefined> = []
      const recorded = (request: IncomingMessage, response: ServerResponse) => {
        seen.push(request.url)
        response.end("served")
      }

      // Held (its interim 100 arrived), then its client hangs up; the server has let the connection go.
      yield* Effect.async<void>((resume) => {
        const socket = connect(port, "127.0.0.1")
        socket.on("error", () => undefined)
        socket.once("data", () => {
          socket.destroy()
          resume(Effect.void)
        })
        socket.write("GET /abandoned HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n")
      }).pipe(Effect.timeout("30 seconds"))
      yield* Effect.async<number>((resume) => void server.getConnections((_, count) => resume(Effect.succeed(count)))).pipe(
        Effect.repeat({ schedule: Schedule.spaced("5 millis"), until: (count) => count === 0 })
      )
      server.on("request", recorded)
      const fresh = yield* exchange(port, "GET /fresh HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
      assert.match(fresh, /\r\n\r\nserved$/)
      assert.deepStrictEqual(seen, ["/fresh"])
    }))

  it.scopedLive("one still waiting as the server closes is answered 503, and the close completes", () =>
    Effect.gen(function*() {
      const logged: Array<ClientErrorLog> = []
      const server = serviceServer((answered) => logged.push(answered))
      const port = yield* listenOnLoopback(server)
      const waiting = yield* requestSeen(port, "/waiting")
      const closed = Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
      const [received] = yield* Effect.all([waiting, closed], { concurrency: 2 })
      const requestId = stoppingAnswer(received)
      assert.deepStrictEqual(logged, [
        { method: "GET", route: "unmatched", path: "/waiting", status: 503, request_id: requestId, error: "ServiceStopping" }
      ])
      assert.isFalse(server.listening)
    }).pipe(Effect.timeout("30 seconds")))

  it.scopedLive("the bundled service answers a /healthz sent the moment its port opens", () =>
    Effect.gen(function*() {
      const port = yield* Effect.async<number>((resume) => {
        const probe = createTcpServer().listen(0, "127.0.0.1", () => {
          const address = probe.address()
          probe.close(() => resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0)))
        })
      })
      const dataDir = yield* Effect.acquireRelease(
        Effect.promise(() => mkdtemp(join(tmpdir(), "baton-http-unserved-"))),
        (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
      )
      yield* Effect.acquireRelease(
        Effect.sync(() =>
          spawn(process.execPath, [
            serviceBundle,
            "--sandbox",
            "--port",
            String(port),
            "--data-dir",
            dataDir
          ], {
            env: { PATH: process.env.PATH ?? "", BATON_HTTP_TOKENS: "unserved-test-token" },
            stdio: "ignore"
          })
        ),
        (child) =>
          Effect.async<void>((resume) => {
            if (child.exitCode !== null) return resume(Effect.void)
            child.once("exit", () => resume(Effect.void))
            child.kill("SIGTERM")
          })
      )
      // Connects again until the port opens, then asks at once: the handler is not attached yet.
      const socket = yield* Effect.async<Socket>((resume) => {
        const attempt = () => {
          const socket = connect(port, "127.0.0.1")
          socket.once("connect", () => resume(Effect.succeed(socket)))
          socket.once("error", () => {
            socket.destroy()
            setTimeout(attempt, 1)
          })
        }
        attempt()
      })
      const received = yield* Effect.async<string>((resume) => {
        let received = ""
        socket.setEncoding("utf8")
        socket.on("data", (chunk: string) => received += chunk)
        socket.on("close", () => resume(Effect.succeed(received)))
        socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        // A request left unanswered would keep the service's stop waiting for this connection.
        return Effect.sync(() => socket.destroy())
      }).pipe(Effect.timeout("30 seconds"))
      assert.match(received, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n\{"status":"ok"\}$/)
    }))
})
