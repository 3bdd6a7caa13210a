import { currentMonotonicMillis } from "@baton-fivetran/fivetran-client"
import { HttpClient, HttpClientError, type HttpClientRequest } from "@effect/platform"
import { Duration, Effect, Layer, type Scope } from "effect"

/** The exporter pauses a signal for a minute after it gives up an export; one warning per pause is enough. */
const WARNING_INTERVAL_MILLIS = 60_000

/** The export URL without user info or query: what an operator needs to find the collector, nothing secret. */
const exportUrl = (request: HttpClientRequest.HttpClientRequest) => {
  const url = new URL(request.url)
  return `${url.origin}${url.pathname}`
}

/** A Node or undici error code (`ECONNREFUSED`, `UND_ERR_CONNECT_TIMEOUT`): a kind, never a value. */
const errorCode = /^[A-Z][A-Z0-9_]*$/

/** undici's ProxyAgent's error when the egress proxy answers the CONNECT with a status other than 200. */
const proxyRefusal = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling$/

/** What a proxy's refusal of the tunnel says, by its status. */
const ProxyRefusalHints: Readonly<Record<string, string>> = {
  "407": ": it wants credentials, or refused the ones in the proxy URL",
  "403": ": it does not let this host through; ask for it to be allowed, or list it in NO_PROXY if it is reachable directly"
}

/**
 * The kind of failure: the egress proxy's refusal of the tunnel (`the proxy answered 407 to the
 * tunnel: ...`, where undici's code alone, UND_ERR_ABORTED, said nothing of the proxy), else the
 * innermost cause's error code. Never a cause's message: fetch's and undici's quote what they
 * refused (a header value from an OTEL_EXPORTER_OTLP_*HEADERS variable, an endpoint with a
 * password), and the URL is named already; the proxy's is only matched, for its status.
 */
const failureKind = (error: HttpClientError.HttpClientError): string | undefined => {
  let code: string | undefined
  for (let cause: unknown = error.cause, depth = 0; cause instanceof Error && depth < 6; cause = cause.cause, depth++) {
    const refused = proxyRefusal.exec(cause.message)?.[1]
    if (refused !== undefined) return `the proxy answered ${refused} to the tunnel${ProxyRefusalHints[refused] ?? ""}`
    if ("code" in cause && typeof cause.code === "string" && errorCode.test(cause.code)) code = cause.code
  }
  return code
}

/** `Transport error: ECONNREFUSED`, or `Transport error` when no cause has a code. */
const describeError = (error: HttpClientError.HttpClientError) => {
  const kind = failureKind(error)
  return kind === undefined ? `${error.reason} error` : `${error.reason} error: ${kind}`
}

/** The same error with its kind of failure for a description in place of its cause. */
const withoutCause = (error: HttpClientError.HttpClientError): HttpClientError.HttpClientError => {
  if (error._tag !== "RequestError") return error
  const kind = failureKind(error)
  return new HttpClientError.RequestError({
    request: error.request,
    reason: error.reason,
    ...(kind === undefined ? {} : { description: kind })
  })
}

/** What a timed-out export says in place of a code: `no answer within 10s`. */
const noAnswer = (timeout: Duration.Duration) => `no answer within ${Duration.format(timeout)}`

/**
 * How often the exporter (@effect/opentelemetry 0.64, internal/otlpExporter.ts) tries one export:
 * `HttpClient.retryTransient({ times: 3 })`, a second apart (after a 429, its Retry-After).
 */
const ATTEMPTS = 4

/** The statuses retryTransient retries (@effect/platform's isTransientResponse); any other is given up at once. */
const retriedStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/** Whether the exporter tries again after this error: a transport error (a timeout is one), as retryTransient does. */
const isRetried = (error: HttpClientError.HttpClientError) =>
  error._tag === "RequestError" ? error.reason === "Transport" : retriedStatuses.has(error.response.status)

/** One export's tries so far, and its last failure while the exporter may still retry it. */
interface Tries {
  attempts: number
  failure: string | undefined
}

/** The variables a signal's URL and headers came from (OtlpSettings.ts), which the warning tells to check. */
export interface ExportVariables {
  readonly endpointVariable: string
  readonly headersVariable: string
  /** The egress proxy's (HTTPS_PROXY or HTTP_PROXY), when its exports go through one. */
  readonly proxyVariable?: string
}

/**
 * The OTLP exporter (@effect/opentelemetry) drops what it cannot send and says so only at debug
 * level, so a collector that is down, refuses the credentials or sits at a wrong URL left an
 * operator with no telemetry and no clue why. This client beneath it logs a warning naming the URL,
 * the status or transport error (never the request's headers: they usually hold a token) and the
 * variables to check (`variables`, those the URL and headers came from, and the egress proxy's)
 * when an export is given up, at most once a minute per URL, as the exporter then pauses that
 * signal for a minute. A failure the exporter retries is not given up until its last try
 * (ATTEMPTS) fails: warning at the first one said "dropped" of telemetry that a retry then
 * delivered. An export whose retry never
 * came (the exporter stopped at shutdown, between tries), or whose first try the exporter stopped
 * while it waited for an answer (unless a later export to that URL succeeded), is warned of when
 * this client's scope closes, after the exporter's. The exporter gets the error back
 * with that description in place of its cause, as it logs what it gets at debug level.
 *
 * A request without an answer within `timeout` (OTEL_EXPORTER_OTLP_TIMEOUT) fails the same way: the
 * exporter awaits each request and sets no timeout, so a collector that accepted the connection
 * and never answered stopped that signal's exports for good, silently.
 */
export const warnOnFailedExports = (
  client: HttpClient.HttpClient,
  timeout: Duration.Duration,
  variables: ExportVariables
): Effect.Effect<HttpClient.HttpClient, never, Scope.Scope> =>
  Effect.gen(function*() {
    const checked = [variables.endpointVariable, variables.headersVariable, variables.proxyVariable]
      .filter((name): name is string => name !== undefined)
    const check = `Check ${checked.join(", ")} and the collector.`
    const lastWarned = new Map<string, number>()
    // Keyed by the request: the exporter retries the very request object it made for the export.
    const exports = new Map<HttpClientRequest.HttpClientRequest, Tries>()
    // On the monotonic clock: on the wall clock, one set back an hour silenced the warnings for that hour.
    const warn = (request: HttpClientRequest.HttpClientRequest, message: (url: string) => string) =>
      Effect.flatMap(currentMonotonicMillis, (now) => {
        const url = exportUrl(request)
        const last = lastWarned.get(url)
        if (last !== undefined && now - last < WARNING_INTERVAL_MILLIS) return Effect.void
        lastWarned.set(url, now)
        return Effect.logWarning(message(url))
      })
    const started = (request: HttpClientRequest.HttpClientRequest) =>
      Effect.sync(() => {
        const tries = exports.get(request)
        if (tries === undefined) exports.set(request, { attempts: 1, failure: undefined })
        else tries.attempts++
      })
    /**
     * Exports interrupted in their first try, by URL, until one to that URL succeeds: at shutdown the
     * exporter stops what is in flight (its last export waits 3 seconds at most), so a collector
     * that accepts connections and never answers lost a short run's telemetry with nothing said.
     * A later success to the URL means the collector answers (and metrics, sent whole each time,
     * arrived).
     */
    const cutShort = new Map<string, HttpClientRequest.HttpClientRequest>()
    const succeeded = (request: HttpClientRequest.HttpClientRequest) =>
      Effect.sync(() => {
        exports.delete(request)
        cutShort.delete(exportUrl(request))
      })
    const failed = (request: HttpClientRequest.HttpClientRequest, reason: string, retried: boolean) =>
      Effect.suspend(() => {
        const tries = exports.get(request)
        if (tries !== undefined && retried && tries.attempts < ATTEMPTS) {
          tries.failure = reason
          return Effect.void
        }
        exports.delete(request)
        return warn(request, (url) =>
          `OpenTelemetry export to ${url} failed (${reason}); this telemetry is dropped, and exports to it pause ` +
          `for a minute. ${check}`)
      })
    // Interrupted in its first try, an export has no failure to tell, only that no answer came; in a retry, it keeps the last failure.
    const interrupted = (request: HttpClientRequest.HttpClientRequest) =>
      Effect.sync(() => {
        if (exports.get(request)?.failure !== undefined) return
        exports.delete(request)
        cutShort.set(exportUrl(request), request)
      })
    yield* Effect.addFinalizer(() =>
      Effect.zipRight(
        Effect.forEach(Array.from(exports), ([request, { failure }]) => {
          exports.delete(request)
          cutShort.delete(exportUrl(request))
          return failure === undefined ?
            Effect.void :
            warn(request, (url) =>
              `OpenTelemetry export to ${url} failed (${failure}); this telemetry is dropped, as the exporter stopped ` +
              `before trying it again. ${check}`)
        }, { discard: true }),
        Effect.forEach(Array.from(cutShort.values()), (request) =>
          warn(
            request,
            (url) => `OpenTelemetry export to ${url} got no answer before the exporter stopped; this telemetry is dropped. ${check}`
          ), {
          discard: true
        })
      )
    )
    // The transport error a timed-out request fails with, which the exporter retries like a refused connection.
    const unanswered = (request: HttpClientRequest.HttpClientRequest) =>
      Effect.zipRight(
        failed(request, noAnswer(timeout), true),
        Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", description: noAnswer(timeout) }))
      )
    return HttpClient.transform(client, (response, request) =>
      Effect.zipRight(started(request), response).pipe(
        Effect.tap((answer) =>
          answer.status >= 200 && answer.status < 300
            ? succeeded(request)
            : failed(request, `HTTP ${answer.status}`, retriedStatuses.has(answer.status))
        ),
        Effect.tapError((error) => failed(request, describeError(error), isRetried(error))),
        Effect.mapError(withoutCause),
        Effect.timeoutTo({ duration: timeout, onSuccess: Effect.succeed, onTimeout: () => unanswered(request) }),
        Effect.flatten,
        Effect.onInterrupt(() => interrupted(request))
      ))
  })

/** The HttpClient in context, wrapped by `warnOnFailedExports` for the layer's lifetime. */
export const warnOnFailedExportsLayer = (timeout: Duration.Duration, variables: ExportVariables) =>
  Layer.scoped(
    HttpClient.HttpClient,
    Effect.flatMap(HttpClient.HttpClient, (client) => warnOnFailedExports(client, timeout, variables))
  )
