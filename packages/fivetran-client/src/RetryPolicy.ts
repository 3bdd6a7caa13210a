import { Duration, Effect, Random, Schedule } from "effect"
import type { FivetranError, InvalidResponse } from "./FivetranError.js"
import type { FivetranClientConfig } from "./FivetranClientConfig.js"
import { retryAfterMillis } from "./RetryAfter.js"

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE"

/** A proxy's 4xx to a tunnel (407 credentials, 403 a host it blocks) answers a repeat the same way. */
const refusedByProxy = (status: number | undefined) => status !== undefined && status >= 400 && status < 500

/**
 * Fivetran answered 2xx, so acted on the request, before the answer broke off: its body cut
 * mid-JSON (only a 2xx body is decoded) or whole but unreadable (no JSON, or JSON of another shape:
 * a proxy that mangled it, a changed API; an HTML page is no answer of Fivetran's), or the
 * connection reset or the deadline passed after a 2xx status line.
 */
export const answeredBeforeBreaking = (error: FivetranError): boolean =>
  (error._tag === "InvalidResponse" && (error.cutShort === true || error.answeredStatus !== undefined)) ||
  (error._tag === "Transport" && error.answeredStatus !== undefined && error.answeredStatus >= 200 && error.answeredStatus < 300)

/**
 * A 2xx body that a repeat of a read may get whole: cut off mid-JSON, or whole but no JSON at all
 * (a proxy or gateway that garbled it). An HTML page (a proxy's login page, another server) and
 * JSON of another shape (a changed API) are answered the same again, so they are not.
 */
export const garbledBody = (error: FivetranError): error is InvalidResponse =>
  error._tag === "InvalidResponse" && (error.cutShort === true || error.notJson !== undefined)

/**
 * Whether Fivetran may have acted on a request that failed so: it answered 5xx (it may fail after
 * acting), or the request was sent and no answer came (a reset, the deadline). A connection never
 * made cannot have reached it.
 */
export const mayHaveActed = (error: FivetranError): boolean =>
  error._tag === "ServerError" || (error._tag === "Transport" && error.connectFailed !== true)

/**
 * Whether a failed attempt may be repeated. 429 always: Fivetran turned the request away
 * before acting on it. 5xx and transport failures for GET, PATCH (same body, same result) and
 * DELETE (a repeat that finds the target gone answers 404, which callers treat as done). A 2xx
 * answer whose body was cut off (mid-JSON, or by a reset or the deadline after the status line)
 * only for GET: a write answered 2xx was made, and its repeat would report the caller's own change
 * as found done (a DELETE's 404) or repeat it for nothing; callers that need no body count it made
 * (`answeredBeforeBreaking`, connector-core's AcceptedWrite). A complete 2xx body that is no JSON
 * at all is repeated as one cut off is, and only for GET (`garbledBody`): a proxy or gateway that
 * garbled one answer (a buffer mixed up, an encoding mangled) may pass the next one whole, and a
 * read is safe to repeat; a read that it garbles every time ends after `maxAttempts`, as a cut one
 * does. An HTML page, or JSON that breaks the schema, is not repeated: a proxy's page or a changed
 * API answers the same again.
 * POST creates things (users, teams, groups, memberships) and Fivetran has no idempotency key,
 * so a POST whose fate is unknown (a 5xx, a timeout, a reset after sending) is not repeated:
 * a duplicate team would be worse than an error. A POST is repeated only when it never left
 * (connection refused) or the server said it did not process it (503), unless the 503's
 * `Retry-After` asks for longer than max-rate-limit-wait. A refused TLS certificate is never
 * repeated: the next handshake meets the same certificate; nor is a server that answered the handshake
 * with no TLS; nor is a proxy's 4xx to the tunnel, nor
 * a base URL or proxy that is no http(s) URL, nor a host name that does not resolve before any
 * request of the client has been answered (`unknownHost`).
 */
export const shouldRetry = (method: HttpMethod, error: FivetranError): boolean => {
  // Fivetran acted on it: only a read is repeated for its body.
  if (method !== "GET" && answeredBeforeBreaking(error)) return false
  switch (error._tag) {
    case "RateLimited":
      return true
    case "ServerError":
      // A 503 whose Retry-After is past max-rate-limit-wait has failed at once, as a 429's would.
      return error.maxWaitMillis === undefined && (method !== "POST" || error.status === 503)
    case "Transport":
      return error.certificateRefused !== true && error.notTls !== true && !refusedByProxy(error.proxyStatus) &&
        error.unusableUrl === undefined && error.unknownHost !== true &&
        (method !== "POST" || error.connectFailed === true)
    case "InvalidResponse":
      return garbledBody(error)
    default:
      return false
  }
}

/**
 * The wait a 429's or 503's `Retry-After` asks for, in whole milliseconds; none without one (or with
 * a date already past), when the backoff applies.
 */
export const announcedWaitMillis = (error: FivetranError): number | undefined =>
  (error._tag === "RateLimited" || error._tag === "ServerError") && error.retryAfterSeconds !== undefined
    ? retryAfterMillis(error.retryAfterSeconds)
    : undefined

/** `base` with ±20% jitter, drawn as `Schedule.jittered` draws it, so parallel callers spread out. */
const jittered = (base: Duration.Duration) =>
  Effect.map(Random.next, (random) => {
    const millis = Duration.toMillis(base)
    return Duration.millis(millis * 0.8 * (1 - random) + millis * 1.2 * random)
  })

/**
 * The wait before the next attempt: `Retry-After` when a 429 or a 503 carries one, seconds or a date
 * to come (the request fails earlier, as RateLimitWaitTooLong or ServerError, when that exceeds the
 * maximum rate-limit wait), otherwise
 * exponential backoff from `backoffBaseMillis` with ±20% jitter (so parallel callers spread out),
 * capped at `maxBackoffSeconds`; at most `maxAttempts` attempts in all, and none once `mayRetry`
 * says no to that wait (a caller's deadline it would pass): the call then fails at once, not after
 * the wait. `onRetry` sees each failure and its wait before the wait starts (metrics, and the waits
 * reported to logs and progress).
 */
export const retrySchedule = (
  config: FivetranClientConfig,
  method: HttpMethod,
  onRetry: (delay: Duration.Duration, error: FivetranError) => Effect.Effect<void>,
  mayRetry: (delay: Duration.Duration) => Effect.Effect<boolean> = () => Effect.succeed(true)
): Schedule.Schedule<unknown, FivetranError> => {
  const cap = Duration.seconds(config.maxBackoffSeconds)
  // The jittered backoff is the output, not only the delay: the wait is decided before it is checked.
  const backoff = Schedule.exponential(Duration.millis(config.backoffBaseMillis)).pipe(Schedule.mapEffect(jittered))
  return Schedule.identity<FivetranError>().pipe(
    Schedule.intersect(backoff),
    Schedule.intersect(Schedule.recurs(config.maxAttempts - 1)),
    Schedule.whileInput((error: FivetranError) => shouldRetry(method, error)),
    Schedule.map(([[error, backoffDelay]]) => {
      const announced = announcedWaitMillis(error)
      return { error, delay: announced !== undefined ? Duration.millis(announced) : Duration.min(backoffDelay, cap) }
    }),
    Schedule.checkEffect((_, { delay }) => mayRetry(delay)),
    Schedule.modifyDelayEffect(({ delay, error }) => Effect.as(onRetry(delay, error), delay))
  )
}
