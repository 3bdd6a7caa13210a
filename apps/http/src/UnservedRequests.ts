import { randomUUID } from "node:crypto"
import { type IncomingMessage, Server, type ServerOptions, type ServerResponse } from "node:http"
import type { Socket } from "node:net"
import { performance } from "node:perf_hooks"
import { type ClientErrorLog, requestLineFields } from "./RefusedRequestLog.js"
import { stoppingBody } from "./ServiceStopping.js"

/**
 * Requests that reach the port while no handler serves it. platform-node's server listens as its
 * layer is built, but the service's handler is attached only once every layer the service needs is
 * built (~60 ms after the port opens here), and it is detached first as the service stops. Node
 * answers nothing to a request no handler takes, so its caller waited for its own timeout (undici's
 * fetch: 300 s) and a probe polling a fixed port at start hung. Such a request now waits for the
 * handler at start, and is answered 503 once the handler has gone (stop, or a start that failed
 * after the port opened).
 */

type Exchange = readonly [IncomingMessage, ServerResponse]

const stoppingText = JSON.stringify(stoppingBody)

/** 503 with the service's JSON error body and an X-Request-Id, then the connection closes; logged as Node's own refusals (ClientErrors.ts). */
const answerStopping = (request: IncomingMessage, response: ServerResponse, log: (answered: ClientErrorLog) => void): void => {
  const requestId = randomUUID()
  response.shouldKeepAlive = false
  response.writeHead(503, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(stoppingText),
    "X-Request-Id": requestId,
    "Retry-After": "1"
  })
  response.end(stoppingText)
  const line = request.method === undefined || request.url === undefined ? undefined : { method: request.method, target: request.url }
  log({ ...requestLineFields(line), status: 503, request_id: requestId, error: "ServiceStopping" })
}

/**
 * A Node server that holds requests arriving before its first `request` handler and passes them to
 * it once attached; a request with no handler after that, or still held as the server closes, is
 * answered 503 ServiceStopping (passed to `log`).
 *
 * Its close also ends the connections of the requests still in flight once each is answered. Node's
 * close ends only the idle ones and waits for the others, and one whose answer ended after the close
 * began was kept for the client's next request, up to --keep-alive-timeout (65 s): a stop during a
 * download held the process that long after it, past an orchestrator's grace period (Kubernetes: 30 s).
 * The connections with no request in flight are ended at once: Node counts one that has sent nothing
 * yet (a browser's preconnect) or only part of a head as busy, and its close stops the checks that
 * time such a connection out, so the stop waited for the client to hang up, however long that took.
 * For the same reason a request whose body is still arriving keeps its arrival limit through the
 * close (`--request-arrival-timeout`, from its head): one sent a byte at a time held the stop as long.
 */
export class HeldUntilServedServer extends Server {
  private held: Array<Exchange> | undefined = []
  /** The answers in flight, with when their request's head arrived (performance.now()). */
  private readonly inFlight = new Map<ServerResponse, number>()
  private readonly openConnections = new Set<Socket>()

  constructor(options: ServerOptions, private readonly log: (answered: ClientErrorLog) => void) {
    super(options)
    this.on("connection", (socket: Socket) => {
      this.openConnections.add(socket)
      socket.once("close", () => this.openConnections.delete(socket))
    })
    this.on("request", (request: IncomingMessage, response: ServerResponse) => {
      this.inFlight.set(response, performance.now())
      response.once("close", () => this.inFlight.delete(response))
      if (this.listenerCount("request") > 1) return
      if (this.held === undefined) answerStopping(request, response, this.log)
      else this.held.push([request, response])
    })
    this.on("newListener", (event: string | symbol) => {
      if (event !== "request" || this.held === undefined) return
      const waiting = this.held
      this.held = undefined
      // Emitted before the listener is added: the held requests go to it once it is. One whose
      // caller has gone is dropped: the platform stops a request's work when its response closes,
      // which for this one happened before the handler was there, so it would run for nobody.
      queueMicrotask(() => {
        for (const [request, response] of waiting) if (!response.destroyed) this.emit("request", request, response)
      })
    })
  }

  override close(callback?: (error?: Error) => void): this {
    const waiting = this.held ?? []
    this.held = undefined
    for (const [request, response] of waiting) if (!response.destroyed) answerStopping(request, response, this.log)
    for (const [response, arrived] of this.inFlight) {
      if (!response.req.complete && this.requestTimeout > 0) this.keepArrivalLimit(response.req, arrived)
      // Not yet begun: it says `Connection: close`, and Node ends the connection after it.
      if (!response.headersSent) response.shouldKeepAlive = false
      else {
        const socket = response.socket
        response.once("finish", () => socket?.end())
      }
    }
    const busy = new Set([...this.inFlight.keys()].map((response) => response.req.socket))
    for (const socket of this.openConnections) {
      // One an upgrade took over (`Upgrade: h2c` from `curl --http2`; Node drops its parser) is the
      // platform's upgrade handler's, which ends it after its one answer.
      if (!busy.has(socket) && (socket as Socket & { readonly parser?: unknown }).parser !== null) socket.destroy()
    }
    return super.close(callback)
  }

  /** Refuses `request` as Node's own checks do (408, ClientErrors.ts) if its body has not arrived within the limit. */
  private keepArrivalLimit(request: IncomingMessage, arrived: number): void {
    const timer = setTimeout(() => {
      if (request.complete || request.socket.destroyed) return
      const error = Object.assign(new Error("the request did not arrive in time"), { code: "ERR_HTTP_REQUEST_TIMEOUT" })
      this.emit("clientError", error, request.socket)
    }, Math.max(0, arrived + this.requestTimeout - performance.now()))
    request.once("end", () => clearTimeout(timer))
    request.socket.once("close", () => clearTimeout(timer))
  }
}
