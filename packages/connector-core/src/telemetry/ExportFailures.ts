import { HttpClient, HttpClientError, type HttpClientRequest } from "@effect/platform"
import { Clock, Duration, Effect, Layer } from "effect"

/** The exporter pauses a signal for a minute after a failed export; one warning per pause is enough. */
const WARNING_INTERVAL_MILLIS = 60_000

/** The export URL without user info or query: what an operator needs to find the collector, nothing secret. */
const exportUrl = (request: HttpClientRequest.HttpClientRequest) => {
  const url = new URL(request.url)
  return `${url.origin}${url.pathname}`
}

/** A Node or undici error code (`ECONNREFUSED`, `UND_ERR_CONNECT_TIMEOUT`): a kind, never a value. */
const errorCode = /^[A-Z][A-Z0-9_]*$/

/**
 * The innermost cause's error code, the kind of failure. Never a cause's message: fetch's and
 * undici's quote what they refused (a header value from OTEL_EXPORTER_OTLP_HEADERS, an endpoint
 * with a password), and the URL is named already.
 */
const failureCode = (error: HttpClientError.HttpClientError): string | undefined => {
  let code: string | undefined
  for (let cause: unknown = error.cause, depth = 0; cause instanceof Error && depth < 6; cause = cause.cause, depth++) {
    if ("code" in cause && typeof cause.code === "string" && errorCode.test(cause.code)) code = cause.code
  }
  return code
}

/** `Transport error: ECONNREFUSED`, or `Transport error` when no cause has a code. */
const describeError = (error: HttpClientError.HttpClientError) => {
  const code = failureCode(error)
  return code === undefined ? `${error.reason} error` : `${error.reason} error: ${code}`
}

/** The same error with its code for a description in place of its cause. */
const withoutCause = (error: HttpClientError.HttpClientError): HttpClientError.HttpClientError => {
  if (error._tag !== "RequestError") return error
  const code = failureCode(error)
  return new HttpClientError.RequestError({
    request: error.request,
    reason: error.reason,
    ...(code === undefined ? {} : { description: code })
  })
}

/** What a timed-out export says in place of a code: `no answer within 10s`. */
const noAnswer = (timeout: Duration.Duration) => `no answer within ${Duration.format(timeout)}`

/**
 * The OTLP exporter (@effect/opentelemetry) drops what it cannot send and says so only at debug
 * level, so a collector that is down, refuses the credentials or sits at a wrong URL left an
 * operator with no telemetry and no clue why. This client beneath it logs such a failure as a
 * warning naming the URL and the status or transport error (never the request's headers:
 * OTEL_EXPORTER_OTLP_HEADERS usually holds a token), at most once a minute per URL, as the exporter
 * retries a few times and then pauses that signal for a minute. The exporter gets the error back
 * with that description in place of its cause, as it logs what it gets at debug level.
 *
 * A request without an answer within `timeout` (OTEL_EXPORTER_OTLP_TIMEOUT) fails the same way: the
 * exporter awaits each request and sets no timeout, so a collector that accepted the connection
 * and never answered stopped that signal's exports for good, silently.
 */
export const warnOnFailedExports = (client: HttpClient.HttpClient, timeout: Duration.Duration): HttpClient.HttpClient => {
  const lastWarned = new Map<string, number>()
  const warn = (request: HttpClientRequest.HttpClientRequest, reason: string) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const url = exportUrl(request)
      const last = lastWarned.get(url)
      if (last !== undefined && now - last < WARNING_INTERVAL_MILLIS) return Effect.void
      lastWarned.set(url, now)
      return Effect.logWarning(
        `OpenTelemetry export to ${url} failed (${reason}); this telemetry is dropped, and exports ` +
          `to it pause for a minute. Check OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS and the collector.`
      )
    })
  // The transport error a timed-out request fails with, which the exporter retries like a refused connection.
  const unanswered = (request: HttpClientRequest.HttpClientRequest) =>
    Effect.zipRight(
      warn(request, noAnswer(timeout)),
      Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", description: noAnswer(timeout) }))
    )
  return HttpClient.transform(client, (response, request) =>
    response.pipe(
      Effect.tap((answer) => answer.status >= 200 && answer.status < 300 ? Effect.void : warn(request, `HTTP ${answer.status}`)),
      Effect.tapError((error) => warn(request, describeError(error))),
      Effect.mapError(withoutCause),
      Effect.timeoutTo({ duration: timeout, onSuccess: Effect.succeed, onTimeout: () => unanswered(request) }),
      Effect.flatten
    ))
}

/** The HttpClient in context, wrapped by `warnOnFailedExports`. */
export const warnOnFailedExportsLayer = (timeout: Duration.Duration) =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) => warnOnFailedExports(client, timeout))
  )
