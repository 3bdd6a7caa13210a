import { HttpApp, HttpServerError, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { randomUUID } from "node:crypto"
import { IncomingMessage, type ServerResponse } from "node:http"
import { Clock, Effect, Fiber, LogLevel, Metric, MetricBoundaries, MetricLabel, Option, Schema } from "effect"
import { TokenCheck } from "./Auth.js"
import { callerName } from "./Caller.js"
import { ExtraRoutePaths } from "./ExtraRoutes.js"
import { redactedUrlAttributes } from "./RedactedUrl.js"
import { routeOf } from "./Routes.js"
import { DefaultDownloadStallMillis } from "./ServiceConfig.js"
import { cutWhenStalled } from "./StalledAnswers.js"
import { type FollowedAnswer, followStreamed, type StreamedEnd } from "./StreamedAnswers.js"

/**
 * What every request leaves behind: one log line at info (method, route, status, duration,
 * request id, an error answer's code; error for a 5xx; debug for a probe's or scrape's success; a streamed body's answer
 * written at its end, saying how it ended and the bytes sent: StreamedAnswers.ts), the request id echoed in `X-Request-Id` and annotated on the
 * request's span and on every log line written while it is handled, and the HTTP metrics. The
 * platform's tracer wraps this, so the server span (named by `spanName`) is the current span here.
 * The caller (Caller.ts), when the request carried one of the service's tokens, is annotated beside
 * the request id: the provisioning audit line and a sync the request starts name it too.
 */

export const httpRequests = Metric.counter("http_server_requests_total", {
  description: "HTTP requests served, by method, route template and status",
  incremental: true
})

export const httpRequestDuration = Metric.histogram(
  "http_server_request_duration_seconds",
  MetricBoundaries.exponential({ start: 0.005, factor: 2, count: 14 }),
  "Time to answer HTTP requests, by method and route template"
)

export const RequestIdHeader = "x-request-id"

/** A caller's id is kept when it is a plain token (so it can be correlated upstream); otherwise a new one. */
const acceptable = /^[A-Za-z0-9._:-]{1,128}$/

const requestIdOf = (request: HttpServerRequest.HttpServerRequest) => {
  const given = request.headers[RequestIdHeader]
  return given !== undefined && acceptable.test(given) ? given : randomUUID()
}

/**
 * The probes' and the scraper's routes: at the documented periods their successes were ~15k info
 * lines a day that said nothing. A failure there keeps its level: it is what an operator looks for.
 */
const routineRoutes: ReadonlySet<string> = new Set(["/healthz", "/readyz", ExtraRoutePaths.metrics])

export const requestLogLevel = (route: string, status: number): LogLevel.LogLevel =>
  status >= 500 ? LogLevel.Error : status < 400 && routineRoutes.has(route) ? LogLevel.Debug : LogLevel.Info

/**
 * How `http_server_requests_total` counts a streamed answer that did not complete: its head said
 * 200, but the client did not get the body. One the client abandoned counts as 499 (nginx's "client
 * closed request"), one the service failed to finish as 500, so that neither passes for a sheet
 * delivered and a failure reaches the 5xx alerts.
 */
const countedStatus = (status: number, end: StreamedEnd): number =>
  end === "aborted" ? ClientClosedRequest : end === "failed" ? 500 : status

const ClientClosedRequest = 499

/** The Node response of a request the Node server made (none for one made otherwise, as in a test of this file). */
const nodeConnection = (request: HttpServerRequest.HttpServerRequest): ServerResponse | undefined =>
  NodeHttpServerRequest.toIncomingMessage(request) instanceof IncomingMessage
    ? NodeHttpServerRequest.toServerResponse(request)
    : undefined

/**
 * The code of an error answer's body (`{"error": <code>, "message": ...}`, @baton-fivetran/http-api
 * ErrorBody.ts), logged as `error` as a request Node refused logs it (RefusedRequestLog.ts): two
 * 429s (`RateLimited`, `TooManyExports`) or 404s (`NotFound`, `UnknownPrincipal`) otherwise read
 * alike. The code only, from the API's closed set: the message may quote what the caller sent.
 */
const ErrorCode = Schema.parseJson(Schema.Struct({ error: Schema.String }))
const decodeErrorCode = Schema.decodeUnknownOption(ErrorCode)

/** Error bodies are a sentence or two; a larger body is not one of them and is not read. */
const MaxErrorBodyBytes = 64 * 1024

const utf8 = new TextDecoder()

const answeredErrorCode = (response: HttpServerResponse.HttpServerResponse): Option.Option<string> =>
  response.status >= 400 && response.body._tag === "Uint8Array" && response.body.body.byteLength <= MaxErrorBodyBytes
    ? Option.map(decodeErrorCode(utf8.decode(response.body.body)), (body) => body.error)
    : Option.none()

/** The server span's name: `GET /v1/syncs/:id` (OpenTelemetry's `{method} {http.route}`). */
export const spanName = (request: HttpServerRequest.HttpServerRequest) => `${request.method} ${routeOf(request.method, request.url)}`

const handle = <E, R>(
  app: HttpApp.Default<E, R>,
  request: HttpServerRequest.HttpServerRequest,
  requestId: string,
  caller: Option.Option<string>,
  stalledMillis: number
) =>
  Effect.gen(function*() {
    const route = routeOf(request.method, request.url)
    // Timed by the monotonic clock: the wall clock set back during a request made its duration -3600 s.
    const started = yield* Clock.currentTimeNanos
    yield* Effect.annotateCurrentSpan({
      "http.route": route,
      "http.request_id": requestId,
      ...Option.match(caller, { onNone: () => ({}), onSome: (name) => ({ "http.caller": name }) }),
      ...redactedUrlAttributes(request)
    })
    yield* HttpApp.appendPreResponseHandler((_, response) =>
      Effect.succeed(HttpServerResponse.setHeader(response, RequestIdHeader, requestId))
    )
    const connection = nodeConnection(request)
    let followed: FollowedAnswer | undefined
    // A streamed body its client stops taking is cut (StalledAnswers.ts). Only a streamed body can
    // stall, so the watch starts with one: forked for every request, it cost each a fiber and a timer.
    let watch: Fiber.RuntimeFiber<void> | undefined
    if (connection !== undefined && request.method !== "HEAD") {
      // A body that fails mid-way has the platform run these handlers again, on the same answer, which
      // it then does not send: a second count would say the first one's client got no byte.
      yield* HttpApp.appendPreResponseHandler((_, response) =>
        Effect.suspend(() => {
          if (followed !== undefined) return Effect.succeed(response)
          const answer = followStreamed(response, connection)
          if (answer === undefined) return Effect.succeed(response)
          followed = answer
          // Interruptible: the platform runs a request uninterruptibly (its app restores interruption), and a
          // fork takes its parent's state, so the watch of an answer whose client hung up was never ended.
          return Effect.fork(Effect.interruptible(cutWhenStalled(answer, connection, stalledMillis))).pipe(
            Effect.map((fiber) => {
              watch = fiber
              return answer.response
            })
          )
        })
      )
    }
    // The line is written however the answer ended: a client hanging up mid-body interrupts the request.
    return yield* Effect.uninterruptibleMask((restore) =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(restore(app))
        if (watch !== undefined) yield* Fiber.interrupt(watch)
        const response = HttpServerError.exitResponse(exit)
        const status = response.status
        const ended = followed?.ending()
        const seconds = Number((yield* Clock.currentTimeNanos) - started) / 1e9
        const labels = [MetricLabel.make("method", request.method), MetricLabel.make("route", route)]
        const counted = ended === undefined ? status : countedStatus(status, ended.end)
        yield* Metric.increment(Metric.taggedWithLabels(httpRequests, [...labels, MetricLabel.make("status", String(counted))]))
        yield* Metric.update(Metric.taggedWithLabels(httpRequestDuration, labels), seconds)
        const fields = {
          method: request.method,
          route,
          status,
          ...(ended === undefined ? {} : { outcome: ended.end, bytes: ended.bytes }),
          ...(ended?.error === undefined ? {} : { error: ended.error }),
          ...Option.match(answeredErrorCode(response), { onNone: () => ({}), onSome: (code) => ({ error: code }) }),
          duration_ms: Math.round(seconds * 1000)
        }
        if (ended !== undefined) {
          yield* Effect.annotateCurrentSpan({ "http.response.outcome": ended.end, "http.response.body.size": ended.bytes })
        }
        const level = ended?.end === "failed" ? LogLevel.Error : requestLogLevel(route, status)
        yield* Effect.logWithLevel(level, "http request").pipe(Effect.annotateLogs(fields))
        return yield* exit
      })
    )
  })

/** `app` with its telemetry; a streamed answer whose client takes nothing for `stalledMillis` is cut. */
export const requestTelemetry = <E, R>(
  app: HttpApp.Default<E, R>,
  stalledMillis: number = DefaultDownloadStallMillis
): HttpApp.Default<E, R | TokenCheck> =>
  Effect.flatMap(
    Effect.zip(HttpServerRequest.HttpServerRequest, TokenCheck),
    ([request, tokens]) =>
      Effect.flatMap(tokens.callerOf(request), (found) => {
        const requestId = requestIdOf(request)
        const caller = Option.map(found, callerName)
        return Effect.annotateLogs(handle(app, request, requestId, caller, stalledMillis), {
          request_id: requestId,
          ...Option.match(caller, { onNone: () => ({}), onSome: (name) => ({ caller: name }) })
        })
      })
  )
