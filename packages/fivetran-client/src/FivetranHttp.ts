import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Clock, Duration, Effect, Either, Option, type ParseResult, Redacted, Ref, Schema } from "effect"
import { UserAgent } from "./ClientVersion.js"
import type { ClientMetrics } from "./FivetranClientShape.js"
import type { FivetranClientConfig } from "./FivetranClientConfig.js"
import { type FivetranError, Transport } from "./FivetranError.js"
import { recordExchange, recordRateLimitRemaining, recordRetry as meterRetry } from "./FivetranMetrics.js"
import { errorForStatus, invalidResponse, parseWholeNumber, type Scrub, transportError } from "./ResponseErrors.js"
import { type HttpMethod, retrySchedule } from "./RetryPolicy.js"
import { perSchema } from "./SchemaCache.js"
import { MessageEnvelope } from "./schemas/Envelope.js"

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
  /** As `call`, with a schema that decodes the body's text itself (e.g. to skip parts before parsing). */
  readonly callText: <A>(request: FivetranRequest, schema: Schema.Schema<A, string>) => Effect.Effect<A, FivetranError>
  /** Sends the request and checks the `{code, message}` body, or accepts an empty one. */
  readonly callVoid: (request: FivetranRequest) => Effect.Effect<void, FivetranError>
  readonly metrics: Effect.Effect<ClientMetrics>
}

/** Body decoders (JSON text through the response schema), compiled once per schema. */
const decoderOf = perSchema((schema: Schema.Schema.AnyNoContext) => Schema.decodeUnknownEither(Schema.parseJson(schema)))
const textDecoderOf = perSchema((schema: Schema.Schema.AnyNoContext) => Schema.decodeUnknownEither(schema))
const decodeMessage = Schema.decodeUnknownEither(Schema.parseJson(MessageEnvelope))

interface RawResponse {
  readonly status: number
  readonly body: string
  readonly retryAfter: string | undefined
}

export const makeFivetranHttp = (config: FivetranClientConfig) =>
  Effect.gen(function*() {
    // Trace headers mean nothing to Fivetran; send only what the API documents. The platform's own
    // client span is off: the call's span below names the route template, where it would name the
    // full URL with ids and cursors.
    const http = (yield* HttpClient.HttpClient).pipe(
      HttpClient.withTracerPropagation(false),
      HttpClient.withTracerDisabledWhen(() => true)
    )
    const metrics = yield* Ref.make<ClientMetrics>({
      requests: 0,
      retries: 0,
      waitedMillis: 0,
      rateLimitRemaining: Option.none()
    })
    const baseUrl = config.baseUrl.replace(/\/+$/, "")
    const timeout = Duration.seconds(config.requestTimeoutSeconds)

    // Text from outside (error bodies, socket messages) could echo a credential back; it is
    // masked before it can reach an error. The secret forms are derived here, at the point of use.
    const scrub: Scrub = (text) => {
      const key = Redacted.value(config.apiKey)
      const secret = Redacted.value(config.apiSecret)
      const forms = [`${key}:${secret}`, btoa(`${key}:${secret}`), key, secret].filter((form) => form.length >= 4)
      return forms.reduce((acc, form) => acc.split(form).join("<redacted>"), text)
    }

    const buildRequest = (request: FivetranRequest) => {
      const base = HttpClientRequest.make(request.method)(`${baseUrl}${request.path}`).pipe(
        HttpClientRequest.setUrlParams(request.urlParams ?? {}),
        HttpClientRequest.acceptJson,
        HttpClientRequest.setHeader("User-Agent", UserAgent),
        HttpClientRequest.basicAuth(config.apiKey, config.apiSecret)
      )
      // bodyUnsafeJson also sets Content-Type: application/json.
      return request.body === undefined ? base : HttpClientRequest.bodyUnsafeJson(base, request.body)
    }

    const attempt = (request: FivetranRequest, endpoint: string, attempts: Ref.Ref<number>) =>
      Effect.gen(function*() {
        yield* Ref.update(metrics, (m) => ({ ...m, requests: m.requests + 1 }))
        const retries = (yield* Ref.getAndUpdate(attempts, (n) => n + 1))
        const started = yield* Clock.currentTimeMillis
        const exchange = http.execute(buildRequest(request)).pipe(
          Effect.tap((response) => {
            const remaining = Option.fromNullable(parseWholeNumber(response.headers["x-rate-limit-remaining"]))
            return Option.isSome(remaining)
              ? Effect.zipRight(
                Ref.update(metrics, (m) => ({ ...m, rateLimitRemaining: remaining })),
                recordRateLimitRemaining(remaining.value)
              )
              : Effect.void
          }),
          Effect.flatMap((response) =>
            Effect.map(
              response.text,
              (body): RawResponse => ({ status: response.status, body, retryAfter: response.headers["retry-after"] })
            )
          ),
          Effect.mapError((error) => transportError(endpoint, error, scrub)),
          Effect.timeoutFail({
            duration: timeout,
            onTimeout: () =>
              new Transport({ endpoint, reason: `no complete response within ${config.requestTimeoutSeconds}s` })
          })
        )
        const result = yield* Effect.either(exchange)
        const ms = (yield* Clock.currentTimeMillis) - started
        const status = Either.isRight(result) ? result.right.status : "transport" as const
        yield* recordExchange(request.method, request.route, status)
        yield* Effect.annotateCurrentSpan({ "http.response.status_code": status, "fivetran.retries": retries })
        yield* Effect.logDebug("Fivetran request").pipe(
          Effect.annotateLogs({
            method: request.method,
            path: request.path,
            status: Either.isRight(result) ? result.right.status : result.left._tag,
            ms
          })
        )
        const response = yield* result
        if (response.status >= 200 && response.status < 300) return response.body
        return yield* Effect.fail(
          errorForStatus(
            {
              method: request.method,
              path: request.path,
              status: response.status,
              body: response.body,
              retryAfter: response.retryAfter
            },
            scrub
          )
        )
      })

    const recordRetry = (request: FivetranRequest) => (delay: Duration.Duration, error: FivetranError) =>
      Effect.zipRight(
        Ref.update(metrics, (m) => ({
          ...m,
          retries: m.retries + 1,
          waitedMillis: m.waitedMillis + Math.round(Duration.toMillis(delay))
        })),
        meterRetry(request.method, request.route, error, Duration.toSeconds(delay))
      )

    const send = (request: FivetranRequest, endpoint: string) =>
      Effect.flatMap(Ref.make(0), (attempts) =>
        attempt(request, endpoint, attempts).pipe(
          Effect.retry(retrySchedule(config, request.method, recordRetry(request)))
        ))

    /** One client span per call, retries inside it; it names the route template, never an id or a credential. */
    const traced = (request: FivetranRequest) =>
      Effect.withSpan(`Fivetran ${request.method} ${request.route}`, {
        kind: "client",
        attributes: { "http.request.method": request.method, "url.template": request.route }
      })

    const call = <A, I>(request: FivetranRequest, schema: Schema.Schema<A, I>): Effect.Effect<A, FivetranError> =>
      callDecoding(request, decoderOf(schema) as (body: string) => Either.Either<A, ParseResult.ParseError>)

    const callText = <A>(request: FivetranRequest, schema: Schema.Schema<A, string>): Effect.Effect<A, FivetranError> =>
      callDecoding(request, textDecoderOf(schema) as (body: string) => Either.Either<A, ParseResult.ParseError>)

    const callDecoding = <A>(
      request: FivetranRequest,
      decode: (body: string) => Either.Either<A, ParseResult.ParseError>
    ): Effect.Effect<A, FivetranError> => {
      const endpoint = `${request.method} ${request.path}`
      return send(request, endpoint).pipe(
        Effect.flatMap((body) => decoded(decode(body), endpoint)),
        traced(request)
      )
    }

    // Deletes and a few writes answer `{code, message}`; an empty body (204) is accepted too.
    const callVoid = (request: FivetranRequest): Effect.Effect<void, FivetranError> => {
      const endpoint = `${request.method} ${request.path}`
      return send(request, endpoint).pipe(
        Effect.flatMap((body) => body.trim() === "" ? Effect.void : Effect.asVoid(decoded(decodeMessage(body), endpoint))),
        traced(request)
      )
    }

    const decoded = <A>(result: Either.Either<A, ParseResult.ParseError>, endpoint: string): Effect.Effect<A, FivetranError> =>
      Either.isRight(result) ? Effect.succeed(result.right) : Effect.fail(invalidResponse(endpoint, result.left, scrub))

    return { call, callText, callVoid, metrics: Ref.get(metrics) } satisfies FivetranHttp
  })
