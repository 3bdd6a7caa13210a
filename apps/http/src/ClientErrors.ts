import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer, Metric, MetricLabel, Runtime, Schema } from "effect"
import { randomUUID } from "node:crypto"
import { type IncomingMessage, maxHeaderSize, METHODS, type Server, type ServerResponse, STATUS_CODES } from "node:http"
import { afterEarlierAnswers, type PipelinedSocket } from "./EarlierAnswers.js"
import { capConnections, connectionsOpen, connectionsRefused, DefaultMaxConnections } from "./ConnectionCap.js"
import { DefaultKeepAliveMillis, idleConnections } from "./IdleConnections.js"
import { httpRequests } from "./RequestTelemetry.js"
import { type ClientErrorLog, type RequestLine, requestLineFields } from "./RefusedRequestLog.js"
import { UnmatchedRoute } from "./Routes.js"
import { DefaultRequestArrivalMillis } from "./ServiceConfig.js"
import { repeatedStopSignals } from "./StopSignals.js"
import { HeldUntilServedServer } from "./UnservedRequests.js"

/**
 * What Node answers itself, before any route sees the request (its `clientError` event): a head
 * over `http.maxHeaderSize` (431), chunk extensions over its limit (413), a request not received
 * within `server.requestTimeout` (408), anything else it cannot parse (400). Node's own answers
 * are a bare status line; these carry the body every other error of the service has
 * (@baton-fivetran/http-api ErrorBody.ts: `{"error", "message"}`, and `limit_bytes` for a limit),
 * and an `X-Request-Id` as every answer does (RequestTelemetry.ts): always a new one, since the
 * caller's cannot be read from a request Node could not parse. Each is logged as every answer is
 * (an `http request` line with its status and request id, and the error), so that the id a caller
 * reports leads to a line, and counted in `http_server_requests_total`, so that an alert on 4xx
 * sees them. The line and the count name the request's method, route and path as far as Node had
 * read its request line (RefusedRequest below): a 431 said nothing of which client or endpoint sent
 * the oversized head.
 */

const ClientErrorBody = Schema.Struct({
  error: Schema.String,
  message: Schema.String,
  limit_bytes: Schema.optional(Schema.Number)
})
type ClientErrorBody = typeof ClientErrorBody.Type

interface ClientErrorAnswer {
  readonly status: number
  readonly body: ClientErrorBody
}

/**
 * A parse error carries llhttp's code (`HPE_…`) and a fixed reason, neither holding request bytes,
 * and the bytes Node was parsing (`rawPacket`) with the offset where it stopped (`bytesParsed`).
 */
interface ClientError extends Error {
  readonly code?: string
  readonly reason?: string
  readonly rawPacket?: Buffer
  readonly bytesParsed?: number
}

const answerOf = (error: ClientError): ClientErrorAnswer => {
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return {
        status: 431,
        body: {
          error: "HeaderTooLarge",
          message: `the request line and headers are over ${maxHeaderSize} bytes together, the most this service reads`,
          limit_bytes: maxHeaderSize
        }
      }
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return {
        status: 413,
        body: { error: "ChunkExtensionsTooLarge", message: "the request body's chunk extensions are over the size Node accepts" }
      }
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return {
        status: 408,
        body: { error: "RequestTimeout", message: "the request was not received in full in time; send it again" }
      }
    default:
      return {
        status: 400,
        body: {
          error: "InvalidRequest",
          message: `the request is not well-formed HTTP/1.1 (${error.code ?? "unparsable"}${
            error.reason === undefined ? "" : `: ${error.reason}`
          })`
        }
      }
  }
}

/**
 * How long a request may take to arrive: the whole request with its body (at most 64 KiB:
 * RequestBody.ts) within `--request-arrival-timeout` (20 s by default), its head within 15 s of it
 * at most. Node's defaults, 60 s and 300 s, let a caller without a token hold a connection for five
 * minutes by declaring a body and sending it a byte at a time (the body is read before the token is
 * checked); a real client sends either in well under a second. Node looks at its connections every
 * `connectionsCheckingInterval`, so a late one is answered 408 up to that much later.
 */
export const requestArrival = (wholeMillis: number) => ({
  headersTimeout: Math.min(15_000, wholeMillis),
  requestTimeout: wholeMillis,
  connectionsCheckingInterval: 2_000
})

/** The whole answer, as text for the socket: the connection closes after it, as after Node's own. */
const responseOf = ({ body, status }: ClientErrorAnswer, requestId: string): string => {
  const json = JSON.stringify(Schema.encodeSync(ClientErrorBody)(body))
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}`,
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(json)}`,
    `X-Request-Id: ${requestId}`,
    "Connection: close",
    "",
    json
  ].join("\r\n")
}

/** The connection of a refused request, with the answers in flight on it (EarlierAnswers.ts). */
interface ServerSocket extends PipelinedSocket {
  /** Node's parser of the connection; `incoming` is its latest request, not `complete` while its body arrives. */
  readonly parser?: { readonly incoming?: IncomingMessage | null } | null
}

/**
 * Whether the refused request is one Node already passed on to the service (its body was arriving),
 * which the answer in flight on the connection, if any, may be for.
 */
const passedOn = (socket: ServerSocket) => {
  const incoming = socket.parser?.incoming
  return incoming != null && !incoming.complete
}

/**
 * A request line at the start of a line: a token as its method (Node refuses methods it does not
 * know, and the line still says what was asked), then the target up to ` HTTP/x.y` or to the end of
 * the bytes read (a target too long for the head's limit).
 */
const requestLinePattern = /(?:^|\r\n)([!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}) ([\x21-\x7e]+)(?= HTTP\/\d\.\d\r\n|$)/g

/**
 * The refused request's line, where Node had read it: the request whose body it was receiving, or
 * the last request line that starts before the byte it stopped at in the bytes it was parsing (an
 * earlier request of the same packet, pipelined, comes before it). A line Node received in an
 * earlier packet, or a head that timed out, is not known.
 */
const refusedRequestLine = (error: ClientError, socket: ServerSocket): RequestLine | undefined => {
  const incoming = socket.parser?.incoming
  if (passedOn(socket) && incoming?.method !== undefined && incoming.url !== undefined) {
    return { method: incoming.method, target: incoming.url }
  }
  if (error.rawPacket === undefined) return undefined
  const text = error.rawPacket.toString("latin1")
  const stoppedAt = error.bytesParsed ?? text.length
  let found: RequestLine | undefined
  for (const match of text.matchAll(requestLinePattern)) {
    if (match.index + (match[0].startsWith("\r\n") ? 2 : 0) > stoppedAt) break
    found = { method: match[1]!, target: match[2]! }
  }
  return found
}

/**
 * Connections whose request was refused: Node's parser, stopped at the error, reports it again for
 * every later packet, and its request timeout may too, while the refusal waits for earlier answers.
 */
const refusedConnections = new WeakSet<ServerSocket>()

/**
 * Written, then the socket destroyed, as Node does with its own answer: the rest of the request is
 * not read. A request whose head was refused (never passed on) is answered once the answers to the
 * connection's earlier requests (pipelined in the same packet) have been sent, and logged at once:
 * a connection an earlier answer closes gets nothing more. One passed on is answered in place of
 * its own answer, unless that has started.
 */
const answerClientError = (log: (answered: ClientErrorLog) => void) => (error: ClientError, socket: ServerSocket): void => {
  if (refusedConnections.has(socket)) return
  refusedConnections.add(socket)
  const answering = passedOn(socket) && socket._httpMessage?.headersSent === true
  if (error.code === "ECONNRESET" || !socket.writable || answering) {
    socket.destroy()
    return
  }
  const answer = answerOf(error)
  const requestId = randomUUID()
  log({ ...requestLineFields(refusedRequestLine(error, socket)), status: answer.status, request_id: requestId, error: answer.body.error })
  const write = () => {
    if (socket.writable) socket.write(responseOf(answer, requestId))
    socket.destroy()
  }
  if (passedOn(socket)) write()
  else afterEarlierAnswers(socket, write)
}

/**
 * A request whose `Expect` asks for anything but `100-continue`, which Node answers for the service
 * (its `checkExpectation` event): Node's own answer was a bare 417, with no request id and no log
 * line. The value is not repeated (a header may hold anything); the request's body, if one follows,
 * is not read, so the connection closes after the answer.
 */
const answerExpectation = (log: (answered: ClientErrorLog) => void) => (request: IncomingMessage, response: ServerResponse) => {
  const requestId = randomUUID()
  const error = "ExpectationFailed"
  const line = request.method === undefined || request.url === undefined ? undefined : { method: request.method, target: request.url }
  log({ ...requestLineFields(line), status: 417, request_id: requestId, error })
  const json = JSON.stringify(
    Schema.encodeSync(ClientErrorBody)({
      error,
      message: "the request's Expect header asks for something this service does not do; send it without Expect " +
        "(or with `Expect: 100-continue`)"
    })
  )
  response.writeHead(417, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(json),
    "x-request-id": requestId,
    connection: "close"
  })
  response.end(json)
}

/**
 * A `CONNECT` (a request for a tunnel, as to a proxy), which Node hands to its `connect` event and
 * otherwise closes without a word. Its target is a host and port, not a path, so the line names
 * the method alone. Node gives the socket up with the event (no timeouts, no close at the stop):
 * it is destroyed once the answer is written, not ended, or a client that keeps its side open held
 * a `--max-connections` slot and the stop for good. Answered after the connection's earlier
 * answers, as Node's other refusals are (a CONNECT pipelined behind a GET took the GET's place).
 */
const answerConnect = (log: (answered: ClientErrorLog) => void) => (_request: IncomingMessage, socket: PipelinedSocket): void => {
  const requestId = randomUUID()
  const answer: ClientErrorAnswer = {
    status: 400,
    body: { error: "InvalidRequest", message: "CONNECT asks for a tunnel, and this service is no proxy: send requests to it directly" }
  }
  log({ method: "CONNECT", route: UnmatchedRoute, status: answer.status, request_id: requestId, error: answer.body.error })
  socket.on("error", () => socket.destroy())
  afterEarlierAnswers(socket, () => {
    if (socket.writable) socket.write(responseOf(answer, requestId))
    socket.destroy()
  })
}

/**
 * The service's Node server, whose answers to requests it cannot take are JSON, each passed to
 * `log`, and which holds requests that arrive before the service serves (UnservedRequests.ts). A
 * request without Host reaches the service, which refuses it in its own shape (AllowedHosts.ts):
 * Node's own refusal was a bare 400. Idle connections are kept `keepAliveMillis` (IdleConnections.ts).
 */
export const serviceServer = (
  log: (answered: ClientErrorLog) => void,
  requestArrivalMillis: number = DefaultRequestArrivalMillis,
  keepAliveMillis: number = DefaultKeepAliveMillis
): Server =>
  new HeldUntilServedServer(
    { requireHostHeader: false, ...requestArrival(requestArrivalMillis), ...idleConnections(keepAliveMillis) },
    log
  ).on("clientError", answerClientError(log)).on("checkExpectation", answerExpectation(log))
    .on("connect", answerConnect(log))

/**
 * A refused request's labels, as a served request's: its method when read and one Node knows (else
 * OpenTelemetry's `_OTHER`: the label's values stay bounded), the route template its path matches
 * (`unmatched` when it matches none or was not read), and the status.
 */
const refusedLabels = (answered: ClientErrorLog) => [
  MetricLabel.make("method", answered.method !== undefined && METHODS.includes(answered.method) ? answered.method : "_OTHER"),
  MetricLabel.make("route", answered.route),
  MetricLabel.make("status", String(answered.status))
]

/**
 * The service's server as a layer: its answers to requests Node cannot take are logged by the
 * layer's logger, at info as other 4xx; its connections are bounded and counted (ConnectionCap.ts, both
 * series there at 0 from the start); a second stop signal while it stops is ignored (StopSignals.ts).
 */
export const serviceServerLayer = (
  options: {
    readonly port: number
    readonly host: string
    readonly requestArrivalMillis?: number
    readonly keepAliveMillis?: number
    readonly maxConnections?: number
  }
) =>
  Layer.unwrapEffect(Effect.gen(function*() {
    yield* Metric.value(connectionsRefused)
    yield* Metric.value(connectionsOpen)
    const runtime = yield* Effect.runtime<never>()
    const log = (answered: ClientErrorLog) =>
      Runtime.runFork(runtime)(
        Effect.logInfo("http request").pipe(
          Effect.annotateLogs({ ...answered }),
          Effect.zipRight(Metric.increment(Metric.taggedWithLabels(httpRequests, refusedLabels(answered))))
        )
      )
    const server = () =>
      capConnections(
        serviceServer(log, options.requestArrivalMillis, options.keepAliveMillis),
        options.maxConnections ?? DefaultMaxConnections,
        runtime
      )
    return NodeHttpServer.layer(server, { port: options.port, host: options.host }).pipe(
      // Built before the server and released after its close, the stop's last step: a repeated signal meets it all through the stop.
      Layer.provide(Layer.scopedDiscard(repeatedStopSignals))
    )
  }))
