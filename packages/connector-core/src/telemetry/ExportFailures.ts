import { HttpClient, type HttpClientError, type HttpClientRequest } from "@effect/platform"
import { Clock, Effect, Layer } from "effect"

/** The exporter pauses a signal for a minute after a failed export; one warning per pause is enough. */
const WARNING_INTERVAL_MILLIS = 60_000

/** The export URL without user info or query: what an operator needs to find the collector, nothing secret. */
const exportUrl = (request: HttpClientRequest.HttpClientRequest) => {
  const url = new URL(request.url)
  return `${url.origin}${url.pathname}`
}

/** `Transport error: connect ECONNREFUSED 127.0.0.1:4318`: the innermost cause says what went wrong (fetch's own is "fetch failed"). */
const describeError = (error: HttpClientError.HttpClientError) => {
  let cause: unknown = error.cause
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause
  return cause instanceof Error ? `${error.reason} error: ${cause.message}` : `${error.reason} error`
}

/**
 * The OTLP exporter (@effect/opentelemetry) drops what it cannot send and says so only at debug
 * level, so a collector that is down, refuses the credentials or sits at a wrong URL left an
 * operator with no telemetry and no clue why. This client beneath it logs such a failure as a
 * warning naming the URL and the status or transport error (never the request's headers:
 * OTEL_EXPORTER_OTLP_HEADERS usually holds a token), at most once a minute per URL, as the exporter
 * retries a few times and then pauses that signal for a minute.
 */
export const warnOnFailedExports = (client: HttpClient.HttpClient): HttpClient.HttpClient => {
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
  return HttpClient.transform(client, (response, request) =>
    response.pipe(
      Effect.tap((answer) => answer.status >= 200 && answer.status < 300 ? Effect.void : warn(request, `HTTP ${answer.status}`)),
      Effect.tapError((error) => warn(request, describeError(error)))
    ))
}

/** The HttpClient in context, wrapped by `warnOnFailedExports`. */
export const warnOnFailedExportsLayer = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(HttpClient.HttpClient, warnOnFailedExports)
)
