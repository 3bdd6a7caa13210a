import { Clock, Duration, Effect, Either, FiberRef, LogLevel, Option, type ParseResult, Redacted, Schema } from "effect"
import { makeCredentialsInForce, type SentCredentials } from "./CredentialsInForce.js"
import type { SoonerDeadline } from "./ExchangeDeadlines.js"
import { UserAgent } from "./Version.js"
import { readExtraCaCerts } from "./ExtraCaCerts.js"
import type { FivetranClientConfig } from "./FivetranClientConfig.js"
import {
  asRepeatOf,
  endpointOf,
  type FivetranError,
  isFivetran400,
  RateLimited,
  RateLimitWaitTooLong,
  ServerError,
  withAttempts
} from "./FivetranError.js"
import {
  countExchange,
  type ExchangeOutcome,
  recordRetry as meterRetry,
  recordRetryWait,
  registerWaitSeries,
  setRateLimitLimit,
  setRateLimitRemaining
} from "./FivetranMetrics.js"
import { parseCount } from "./HeaderNumber.js"
import { monotonicMillis } from "./MonotonicClock.js"
import { type BudgetObservation, MaxRateWindowSeconds, RateBudget, type RateBudgetStatus } from "./RateBudget.js"
import { deadlineLeft, rateLimitWaitCap, retryBeforeDeadline, type WaitBound } from "./RateLimitWaitCap.js"
import { tallyRequest, tallyRetry, tallyTurnedAway } from "./RequestTally.js"
import { type BegunWait, makeRequestWaits } from "./RequestWaits.js"
import { isCutShortJson } from "./JsonCutShort.js"
import {
  cutShortResponse,
  errorForStatus,
  exchangeError,
  htmlPageResponse,
  invalidResponse,
  isHtmlPage,
  isNotJson,
  notJsonResponse
} from "./ResponseErrors.js"
import { quoteRetryAfter, type RetryAfterBase } from "./RetryAfter.js"
import { announcedWaitMillis, garbledBody, type HttpMethod, mayHaveActed, retrySchedule } from "./RetryPolicy.js"
import { perSchema } from "./SchemaCache.js"
import { MessageEnvelope } from "./schemas/Envelope.js"
import { withThousands } from "./Thousands.js"
import { formatWait } from "./WaitDuration.js"
import { makeUndiciTransport, MaxResponseBytes, type ReadBody, type TransportRequest, type TransportResponse } from "./UndiciTransport.js"
import type { RequestWaits } from "./WaitsInProgress.js"

export interface FivetranRequest {
  readonly method: HttpMethod
  /** `/v1/...`, ids already URL-encoded; this is also what errors and logs name. */
  readonly path: string
  /** The path with every id as `{id}` (`/v1/users/{id}`): what spans and metrics name, never an id. */
  readonly route: string
  readonly urlParams?: Readonly<Record<string, string>>
  /** A JSON-ready body, already encoded through its request schema. */
  readonly body?: unknown
}

/** The transport under the endpoint methods: one retried, timed, logged and counted exchange. */
export interface FivetranHttp {
  /** Sends the request (retrying per policy) and decodes the body with `schema`. */
  readonly call: <A, I>(request: FivetranRequest, schema: Schema.Schema<A, I>) => Effect.Effect<A, FivetranError>
  /** As `call`, with a schema that decodes the body's bytes itself (e.g. to skip parts before decoding them). */
  readonly callBytes: <A>(request: FivetranRequest, schema: Schema.Schema<A, Uint8Array>) => Effect.Effect<A, FivetranError>
  /** Sends the request and checks the `{code, message}` body, or accepts an empty one. */
  readonly callVoid: (request: FivetranRequest) => Effect.Effect<void, FivetranError>
  readonly budget: Effect.Effect<RateBudgetStatus>
  readonly keyAccepted: Effect.Effect<boolean>
  readonly lowestRemainingDuring: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<readonly [A, Option.Option<number>], E, R>
  readonly waits: RequestWaits
  readonly closeIdleConnections: Effect.Effect<void>
}

/** Body decoders (JSON text through the response schema), compiled once per schema. */
const decoderOf = perSchema((schema: Schema.Schema.AnyNoContext) => Schema.decodeUnknownEither(Schema.parseJson(schema)))
const bytesDecoderOf = perSchema((schema: Schema.Schema.AnyNoContext) => Schema.decodeUnknownEither(schema))
const utf8 = new TextDecoder()
const decodeMessage = Schema.decodeUnknownEither(Schema.parseJson(MessageEnvelope))

/**
 * What an attempt keeps of a body, read while its bytes are at hand: a 2xx body decoded (or why it
 * could not be), any other the text its error quotes.
 */
type BodyReading<A> =
  | { readonly ok: true; readonly decoded: Either.Either<A, FivetranError> }
  | { readonly ok: false; readonly text: string }

interface RawResponse<A> {
  readonly status: number
  readonly body: BodyReading<A>
  readonly retryAfter: string | undefined
  /** A redirect's `Location` header. */
  readonly location: string | undefined
  /** The answer's `Date` header. */
  readonly date: string | undefined
  /** When the answer arrived, on Effect's clock. */
  readonly receivedAt: number
  /** `X-Rate-Limit-Remaining`, when sent. */
  readonly remaining: number | undefined
  /** `X-Rate-Limit`, when sent with a remaining count the budget believes (budgetHeaders). */
  readonly limit: number | undefined
}

type Headers = TransportResponse<unknown>["headers"]

/**
 * What the request counter files an answer under: its status, but a 2xx whose body could not be
 * read (cut off, no JSON, an HTML page, another shape) is a failure to the operator, not a success.
 */
const exchangeOutcome = <A>(response: RawResponse<A>): ExchangeOutcome =>
  response.body.ok && Either.isLeft(response.body.decoded) ? "invalid_response" : response.status

/**
 * A 2xx whose body is an HTML page: a captive portal's, or a site at a wrong base URL. It shows
 * nothing of the key (Fivetran answers JSON), where any other 2xx came from a server that took it.
 */
const isHtmlPageAnswer = <A>(decoded: Either.Either<A, FivetranError>): boolean =>
  Either.isLeft(decoded) && decoded.left._tag === "InvalidResponse" && decoded.left.htmlPageStatus !== undefined

/** Reads a body as `decode` says when the status is 2xx, as text for the error otherwise. */
const readingWith =
  <A>(decode: (body: Uint8Array, status: number) => Either.Either<A, FivetranError>): ReadBody<BodyReading<A>> => (status, body) =>
    status >= 200 && status < 300 ? { ok: true, decoded: decode(body, status) } : { ok: false, text: utf8.decode(body) }

/** A header's value; a repeated header counts by its first value. */
const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name]
  return typeof value === "string" || value === undefined ? value : value[0]
}

/**
 * `X-Rate-Limit` and `X-Rate-Limit-Remaining` (docs/fivetran-api.md §1.7), and the sandbox's
 * `X-Rate-Limit-Window-Seconds` when its window is not the hour; counts that are not whole numbers
 * JavaScript holds exactly, and windows over a day, are not believed.
 */
const budgetHeaders = (headers: Headers): Option.Option<BudgetObservation> => {
  const limit = parseCount(header(headers, "x-rate-limit"))
  const remaining = parseCount(header(headers, "x-rate-limit-remaining"))
  if (limit === undefined || remaining === undefined || limit < 1) return Option.none()
  const window = parseCount(header(headers, "x-rate-limit-window-seconds"), MaxRateWindowSeconds)
  return Option.some({
    limit,
    // More left than the limit cannot be: one of the two is wrong, and the estimate errs low.
    remaining: Math.min(remaining, limit),
    windowSeconds: window === undefined || window < 1 ? Option.none() : Option.some(window)
  })
}

/**
 * What a 429 says was left of the account's budget: its `X-Rate-Limit-Remaining` when it carries
 * one; else 0 (the budget refused it), but for `POST /v1/users`, refused by the user-creation limit,
 * which is not the account's budget (docs/fivetran-api.md §1.7). Every 429 was taken for 0: one from
 * a burst with thousands left, or the user-creation limit's, gave a summary of "lowest remaining 0".
 */
const refusedRemaining = (request: FivetranRequest, headers: Headers): Option.Option<number> =>
  Option.match(budgetHeaders(headers), {
    onSome: ({ remaining }) => Option.some(remaining),
    onNone: () => request.method === "POST" && request.route === "/v1/users" ? Option.none() : Option.some(0)
  })

export const makeFivetranHttp = (config: FivetranClientConfig) =>
  Effect.gen(function*() {
    // Only the headers the API documents are sent (no trace propagation); the call's span below
    // names the route template, never the full URL with ids and cursors.
    const timeout = Duration.seconds(config.requestTimeoutSeconds)
    const transport = yield* makeUndiciTransport(config.baseUrl, timeout, MaxResponseBytes, config.proxy)
    // Read synchronously where a request's bookkeeping needs the time (the test clock in tests).
    const clock = yield* Effect.clock
    const budget = new RateBudget(config.rateLimitReservePercent)
    const waits = yield* makeRequestWaits
    yield* registerWaitSeries
    const maxWaitMillis = config.maxRateLimitWaitSeconds * 1000
    // NODE_EXTRA_CA_CERTS's file, looked at on the first failed exchange only: a refused certificate's hint tells of it.
    const extraCa = yield* Effect.cached(readExtraCaCerts)
    // Once any request is answered, a host name that stops resolving is the resolver's blip, retried.
    let answeredBefore = false
    const viaProxy = config.proxy !== undefined

    // A proxy's user and password, as its URL holds them (percent-encoded) and decoded. A proxy that
    // is no URL has none to read: its requests fail before anything is sent (UndiciTransport.ts).
    const proxy = config.proxy
    const proxyCredentials = proxy === undefined ? [] : Either.match(Either.try(() => new URL(Redacted.value(proxy))), {
      onLeft: () => [],
      onRight: ({ password, username }) => {
        const decoded = (part: string) => Either.getOrElse(Either.try(() => decodeURIComponent(part)), () => part)
        return [username, password].flatMap((part) => part === "" ? [] : [part, decoded(part)])
      }
    })
    const credentials = yield* makeCredentialsInForce(config.credentials, proxyCredentials)
    const scrub = credentials.scrub

    const buildRequest = (request: FivetranRequest, sent: SentCredentials): TransportRequest => {
      const query = request.urlParams === undefined ? "" : new URLSearchParams(request.urlParams).toString()
      const headers = { accept: "application/json", "user-agent": UserAgent, authorization: sent.authorization }
      return {
        method: request.method,
        path: query === "" ? request.path : `${request.path}?${query}`,
        headers: request.body === undefined ? headers : { ...headers, "content-type": "application/json" },
        body: request.body === undefined ? undefined : JSON.stringify(request.body)
      }
    }

    const tooLong = (endpoint: string, reason: string, neededMillis: number, cap: WaitBound) =>
      new RateLimitWaitTooLong({ endpoint, reason, neededMillis, maxWaitMillis: cap.shownMillis, maxWaitSetting: cap.setting })

    /**
     * Holds the request back while sending it would take the account's remaining budget below the
     * reserve; returns its sequence number in the budget once it may go. Deciding and counting the
     * request happen in one synchronous step, so concurrent requests cannot both take the last slot.
     */
    const admit = (endpoint: string): Effect.Effect<number, RateLimitWaitTooLong> =>
      Effect.suspend(() => budget.waitMillis(monotonicMillis(clock)) === 0 ? Effect.succeed(budget.send()) : heldBack(endpoint))

    /** The slow path of `admit`: waits (reported as such) until the budget allows the request. */
    const heldBack = (endpoint: string): Effect.Effect<number, RateLimitWaitTooLong> =>
      Effect.gen(function*() {
        // Its first turn's wait is announced; a further turn is quiet when short (RequestWaits' begin).
        for (let turn = 0;; turn++) {
          const now = monotonicMillis(clock)
          const waitMillis = budget.waitMillis(now)
          if (waitMillis === 0) return budget.send()
          const cap = yield* rateLimitWaitCap(maxWaitMillis, now)
          const status = budget.status(now)
          // A reserve of the whole limit (a tiny limit: 67% of 3) leaves nothing to wait for: waiting
          // 1 ms at a time, the request spun and logged a warning each turn, for ever.
          const [limit, reserve] = [Option.getOrElse(status.limit, () => 0), Option.getOrElse(status.reserve, () => 0)]
          if (limit > 0 && reserve >= limit) {
            return yield* tooLong(
              endpoint,
              `the reserve for other tools (rate-limit-reserve ${config.rateLimitReservePercent}%) is ${withThousands(reserve)} of ` +
                `the account's ${withThousands(limit)} requests`,
              Number.POSITIVE_INFINITY,
              cap
            )
          }
          // The estimate goes below none when another client of the account (a second sync, the HTTP
          // service) spent what this one's requests still out were counted against: it is spent, not less.
          const left = Math.max(0, Option.getOrElse(status.remaining, () => 0))
          const reason = `the account's rate-limit budget is down to ~${withThousands(left)} of ${
            withThousands(Option.getOrElse(status.limit, () => 0))
          } requests, the ${
            withThousands(Option.getOrElse(status.reserve, () => 0))
          } kept in reserve for other tools (rate-limit-reserve ${config.rateLimitReservePercent}%)`
          if (waitMillis > cap.millis) return yield* tooLong(endpoint, reason, waitMillis, cap)
          yield* waits.during(
            { kind: "reserve", endpoint, reason, millis: waitMillis, until: clock.unsafeCurrentTimeMillis() + waitMillis },
            Effect.sleep(waitMillis),
            turn > 0
          )
        }
      })

    /** Sends the request and reads the answer's budget headers and body: the part of an attempt the timeout covers. */
    const exchange = <A>(
      request: FivetranRequest,
      endpoint: string,
      seq: number,
      read: ReadBody<BodyReading<A>>,
      sooner: SoonerDeadline | undefined,
      sent: SentCredentials
    ) =>
      transport.send(buildRequest(request, sent), read, sooner).pipe(
        Effect.catchAll((failure) =>
          Effect.flatMap(extraCa, (ca) => Effect.fail(exchangeError(endpoint, failure, scrub, viaProxy, ca, answeredBefore)))
        ),
        Effect.map((response): RawResponse<A> => {
          const headers = response.headers
          const remaining = parseCount(header(headers, "x-rate-limit-remaining"))
          const now = clock.unsafeCurrentTimeMillis()
          const observed = budgetHeaders(headers)
          // A 429's Retry-After, not its headers, says when to go again.
          if (response.status === 429) budget.refused(seq, refusedRemaining(request, headers))
          else budget.observe(seq, monotonicMillis(clock), observed)
          if (response.body.ok && !isHtmlPageAnswer(response.body.decoded)) credentials.accept(sent)
          answeredBefore = true
          return {
            status: response.status,
            body: response.body,
            retryAfter: header(headers, "retry-after"),
            location: header(headers, "location"),
            date: header(headers, "date"),
            receivedAt: now,
            remaining,
            limit: Option.getOrUndefined(Option.map(observed, (o) => o.limit))
          }
        })
      )

    /**
     * What an exchange leaves behind, in one runtime step, as it runs for every request: the request
     * counter and the budget gauges, remaining and limit (with the fiber's metric labels, as `Metric.update`
     * adds them), the call span's status and retries when spans are recorded, and the debug line
     * (its annotations built only when debug lines are written).
     */
    const recorded = <A>(
      request: FivetranRequest,
      retried: number,
      result: Either.Either<RawResponse<A>, FivetranError>,
      millis: number
    ): Effect.Effect<void> =>
      Effect.withFiberRuntime((fiber) => {
        const labels = fiber.getFiberRef(FiberRef.currentMetricLabels)
        const status = Either.isRight(result) ? result.right.status : "transport" as const
        countExchange(request.method, request.route, Either.isRight(result) ? exchangeOutcome(result.right) : status, labels)
        if (Either.isRight(result) && result.right.remaining !== undefined) setRateLimitRemaining(result.right.remaining, labels)
        if (Either.isRight(result) && result.right.limit !== undefined) setRateLimitLimit(result.right.limit, labels)
        const span = fiber.currentSpan
        if (span?._tag === "Span" && fiber.getFiberRef(FiberRef.currentTracerEnabled)) {
          span.attribute("http.response.status_code", status)
          span.attribute("fivetran.retries", retried)
        }
        if (LogLevel.greaterThan(fiber.getFiberRef(FiberRef.currentMinimumLogLevel), LogLevel.Debug)) return Effect.void
        return Effect.logDebug("Fivetran request").pipe(
          Effect.annotateLogs({
            method: request.method,
            path: request.path,
            status: Either.isRight(result) ? result.right.status : result.left._tag,
            duration_ms: millis
          })
        )
      })

    /**
     * The deadline a caller's cap (withRateLimitWaitCap) sets an attempt sent at `now`: what is left
     * of it, so that no attempt, the first included, holds the caller past its cap waiting for a
     * Fivetran that does not answer.
     */
    const capDeadline = (now: number): Effect.Effect<SoonerDeadline | undefined> =>
      Effect.map(deadlineLeft(now), (left) =>
        Option.isNone(left) ? undefined : {
          millis: left.value.millis,
          overdue: `no complete response before ${left.value.cap.setting} (${formatWait(left.value.cap.millis)}) ran out`
        })

    /**
     * One attempt; succeeds with the body's decoding (a decoding failure is not retried, but for a
     * garbled body). `repeats`,
     * the failure a retry repeats, counts the retry here, once it is sent: a call abandoned during
     * its backoff (a readiness check's caller giving up) made no retry.
     */
    const attempt = <A>(
      request: FivetranRequest,
      endpoint: string,
      retried: number,
      read: ReadBody<BodyReading<A>>,
      repeats: FivetranError | undefined
    ) =>
      Effect.gen(function*() {
        const seq = yield* admit(endpoint)
        // Read after admit: a request held back for the budget goes with the pair in force when it is sent.
        const sent = yield* credentials.current
        yield* tallyRequest
        if (repeats !== undefined) {
          yield* tallyRetry
          yield* meterRetry(request.method, request.route, repeats)
        }
        const started = monotonicMillis(clock)
        // Taken after admit: a wait for the reserve spends the cap too.
        const sooner = yield* capDeadline(started)
        // An abandoned request (its sync interrupted) still counts against the budget from now on.
        const result = yield* Effect.either(exchange(request, endpoint, seq, read, sooner, sent)).pipe(
          Effect.onInterrupt(() => Effect.sync(() => budget.observe(seq, monotonicMillis(clock), Option.none())))
        )
        const ended = monotonicMillis(clock)
        // A request that got no answer still counts against the budget from (at the latest) now.
        if (Either.isLeft(result)) budget.observe(seq, ended, Option.none())
        yield* recorded(request, retried, result, ended - started)
        const response = yield* result
        if (response.body.ok) {
          const decoded = response.body.decoded
          // A garbled body (cut off, or no JSON) fails the attempt, for the retry policy to judge; any other decoding failure ends the call.
          if (Either.isLeft(decoded) && garbledBody(decoded.left)) {
            return yield* decoded.left
          }
          return decoded
        }
        if (response.status >= 400 && response.status < 500) yield* tallyTurnedAway
        const error = errorForStatus(
          {
            method: request.method,
            path: request.path,
            status: response.status,
            body: response.body.text,
            retryAfter: response.retryAfter,
            location: response.location,
            date: response.date,
            receivedAt: response.receivedAt
          },
          scrub,
          sent.swapped
        )
        const announced = announcedWaitMillis(error)
        if (announced === undefined) return yield* Effect.fail(error)
        const cap = yield* rateLimitWaitCap(maxWaitMillis, monotonicMillis(clock))
        if (announced <= cap.millis) return yield* Effect.fail(error)
        if (error._tag === "RateLimited") return yield* tooLong(endpoint, retryReason(error), announced, cap)
        if (error._tag !== "ServerError") return yield* Effect.fail(error)
        // A 503 is an outage, not the rate limit: it stays a ServerError, saying why it was not retried.
        const { retryAfterDate, retryAfterFrom, retryAfterSeconds, status } = error
        return yield* new ServerError({
          endpoint: error.endpoint,
          status,
          retryAfterSeconds,
          retryAfterDate,
          retryAfterFrom,
          maxWaitMillis: cap.shownMillis,
          maxWaitSetting: cap.setting
        })
      })

    /**
     * ` with Retry-After …`; a date already past leaves the wait to the backoff: said so, or the line
     * would read as if the header had asked for that wait.
     */
    const withRetryAfter = (
      seconds: number | undefined,
      date: string | undefined,
      from: RetryAfterBase | undefined,
      unreadable: boolean | undefined
    ): string =>
      unreadable === true
        ? " with a Retry-After that is neither seconds nor a date (the backoff applies)"
        : seconds === undefined && date === undefined
        ? ""
        : ` with ${quoteRetryAfter(seconds, date)}${
          seconds !== undefined
            ? ""
            : from === "answer-date"
            ? ", already past by the answer's own Date"
            : ", already past by this machine's clock"
        }`

    const retryReason = (error: FivetranError): string => {
      switch (error._tag) {
        case "RateLimited":
          return error.retryAfterSeconds === undefined && error.retryAfterDate === undefined && error.retryAfterUnreadable !== true
            ? "Fivetran answered 429 without Retry-After"
            : `Fivetran answered 429${
              withRetryAfter(error.retryAfterSeconds, error.retryAfterDate, error.retryAfterFrom, error.retryAfterUnreadable)
            }`
        case "ServerError":
          return `Fivetran answered ${error.status}${
            withRetryAfter(error.retryAfterSeconds, error.retryAfterDate, error.retryAfterFrom, error.retryAfterUnreadable)
          }`
        default:
          return error.message.startsWith(`${error.endpoint}: `) ? error.message.slice(error.endpoint.length + 2) : error.message
      }
    }

    /**
     * Each retry's wait is reported from its start until the next attempt begins (or the call is
     * abandoned). One call's attempts run one after another, so its state is plain variables.
     */
    const send = <A>(request: FivetranRequest, endpoint: string, read: ReadBody<BodyReading<A>>): Effect.Effect<A, FivetranError> =>
      Effect.suspend(() => {
        let pending: { readonly wait: BegunWait; readonly error: FivetranError } | undefined
        let attempts = 0
        /** The latest failure repeated that Fivetran may have acted on: a DELETE's 404 or a POST's 409 or 400 after it may be that attempt's doing. */
        let mayHaveActedOn: FivetranError | undefined
        /** Ends the wait in progress: before the retry it waited for, or abandoned with the call. */
        const endPending = (abandoned: boolean) =>
          Effect.suspend(() => {
            const wait = pending
            pending = undefined
            return wait === undefined
              ? Effect.void
              : Effect.flatMap(waits.end(wait.wait, abandoned), (seconds) => recordRetryWait(wait.error, seconds))
          })
        const onRetry = (delay: Duration.Duration, error: FivetranError) =>
          Effect.gen(function*() {
            const millis = Duration.toMillis(delay)
            const now = yield* Clock.currentTimeMillis
            const wait = yield* waits.begin({
              kind: error._tag === "RateLimited" ? "rate-limited" : "retry",
              endpoint,
              reason: retryReason(error),
              millis,
              until: now + millis
            })
            pending = { wait, error }
            if (mayHaveActed(error)) mayHaveActedOn = error
          })
        const next = Effect.suspend(() => {
          if (attempts === 0) return attempt(request, endpoint, attempts++, read, undefined)
          const repeats = pending?.error
          return Effect.zipRight(endPending(false), repeatWithinCap(repeats))
        })
        /**
         * A repeat under a caller's cap (withRateLimitWaitCap) is, as every attempt, given only what
         * is left of it (capDeadline). One whose backoff would end past the cap is never slept for
         * (retrySchedule); one whose sleep overran the cap is not sent (the call ends with the
         * failure it repeats).
         */
        const repeatWithinCap = (repeats: FivetranError | undefined) =>
          Effect.flatMap(deadlineLeft(monotonicMillis(clock)), (left) =>
            Option.isSome(left) && left.value.millis === 0 && repeats !== undefined
              ? Effect.fail(repeats)
              : attempt(request, endpoint, attempts++, read, repeats))
        // Nearly every call succeeds at once: the schedule's driver and the wait's ending are set up
        // only after a first failure, which the schedule is then given as its first input.
        const retried = (first: FivetranError) => {
          let replayed = false
          const again = Effect.suspend(() => {
            if (replayed) {
              return next
            }
            replayed = true
            return Effect.fail(first)
          })
          return again.pipe(
            Effect.retry(
              retrySchedule(
                config,
                request.method,
                onRetry,
                (delay) =>
                  Effect.suspend(() =>
                    retryBeforeDeadline(monotonicMillis(clock) + Duration.toMillis(delay))
                  )
              )
            ),
            // A 429 is always retried: one that comes out of the schedule ended the last attempt.
            Effect.mapError((error) =>
              error._tag === "RateLimited"
                ? new RateLimited({
                  endpoint: error.endpoint,
                  retryAfterSeconds: error.retryAfterSeconds,
                  retryAfterDate: error.retryAfterDate,
                  retryAfterFrom: error.retryAfterFrom,
                  attempts
                })
                : (error._tag === "Transport" || error._tag === "ServerError" || garbledBody(error)) && attempts > 1
                ? withAttempts(error, attempts)
                : mayHaveActedOn !== undefined && ((error._tag === "NotFound" && request.method === "DELETE") ||
                    (request.method === "POST" && (error._tag === "Conflict" || isFivetran400(error))))
                ? asRepeatOf(error, attempts, retryReason(mayHaveActedOn))
                : error
            ),
            // A wait still pending here was cut short with the call: its retry was never sent.
            Effect.ensuring(endPending(true))
          )
        }
        return next.pipe(Effect.catchAll(retried), Effect.flatMap((decoded) => decoded))
      })

    /**
     * One client span per call, retries inside it, while tracing is enabled; it names the route
     * template, never an id or a credential. No stack trace: capturing one per call cost more CPU in
     * a large sync than the span.
     */
    const traced = (request: FivetranRequest) => <A>(call: Effect.Effect<A, FivetranError>): Effect.Effect<A, FivetranError> =>
      Effect.withFiberRuntime((fiber) =>
        // The apps turn tracing off when nothing exports spans (telemetryLayer): a span per request
        // that nobody reads cost ~10% of the client's CPU per request.
        fiber.getFiberRef(FiberRef.currentTracerEnabled)
          ? Effect.withSpan(call, `Fivetran ${request.method} ${request.route}`, {
            kind: "client",
            captureStackTrace: false,
            attributes: { "http.request.method": request.method, "url.template": request.route }
          })
          : call
      )

    const call = <A, I>(request: FivetranRequest, schema: Schema.Schema<A, I>): Effect.Effect<A, FivetranError> =>
      callDecoding(request, (body) => (decoderOf(schema) as (text: string) => Either.Either<A, ParseResult.ParseError>)(utf8.decode(body)))

    const callBytes = <A>(request: FivetranRequest, schema: Schema.Schema<A, Uint8Array>): Effect.Effect<A, FivetranError> =>
      callDecoding(request, bytesDecoderOf(schema) as (body: Uint8Array) => Either.Either<A, ParseResult.ParseError>)

    const callDecoding = <A>(
      request: FivetranRequest,
      decode: (body: Uint8Array) => Either.Either<A, ParseResult.ParseError>
    ): Effect.Effect<A, FivetranError> => {
      const endpoint = endpointOf(request.method, request.path)
      // Only a body that fails is checked for being cut short: the cost stays off the usual path.
      const read = readingWith((body, status) =>
        Either.mapLeft(decode(body), (error) => {
          const text = utf8.decode(body)
          return isCutShortJson(text)
            ? cutShortResponse(endpoint, body.length)
            : isHtmlPage(text)
            ? htmlPageResponse(endpoint, status)
            : isNotJson(text)
            ? notJsonResponse(endpoint, status, text, body.length, scrub)
            : invalidResponse(endpoint, error, scrub, status)
        })
      )
      return send(request, endpoint, read).pipe(traced(request))
    }

    // Deletes and a few writes answer `{code, message}`; an empty body (204) is accepted too.
    const callVoid = (request: FivetranRequest): Effect.Effect<void, FivetranError> =>
      callDecoding(request, (bytes) => {
        const body = utf8.decode(bytes)
        return body.trim() === "" ? Either.void : Either.map(decodeMessage(body), () => undefined)
      })

    return {
      call,
      callBytes,
      callVoid,
      budget: Effect.map(Effect.clock, (clock) => budget.status(monotonicMillis(clock))),
      keyAccepted: credentials.keyAccepted,
      lowestRemainingDuring: (effect) =>
        Effect.acquireUseRelease(
          Effect.sync(() => budget.watchLowest()),
          (watch) => Effect.map(effect, (a) => [a, watch.read()] as const),
          (watch) => Effect.sync(watch.stop)
        ),
      waits: waits.waits,
      closeIdleConnections: transport.closeIdleConnections
    } satisfies FivetranHttp
  })
