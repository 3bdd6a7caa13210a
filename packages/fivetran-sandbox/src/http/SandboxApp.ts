import { HttpIncomingMessage, HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Clock, Duration, Effect, Option, Schema, Stream } from "effect"
import type { Credential } from "../state/AccountSnapshot.js"
import type { AccountState } from "../state/AccountState.js"
import { authenticate, authorize, Caller } from "./Access.js"
import { ApiError, invalidInput, tooManyRequests } from "./ApiError.js"
import { describeParseError } from "./BodyIssues.js"
import type { Endpoint, Method } from "./Endpoints.js"
import type { FaultInjector, FaultKind, FaultPlan } from "./Faults.js"
import { isPageBuffer, returnPageBuffer } from "./PageBuffers.js"
import { errorReply, json } from "./Reply.js"
import type { RequestHook } from "./RequestHook.js"
import type { RequestLog } from "./RequestLog.js"
import { HOUR_MILLIS, type RollingWindow } from "./RollingWindow.js"

export interface SandboxAppDeps {
  readonly state: AccountState
  readonly endpoints: ReadonlyArray<Endpoint>
  readonly rateLimit: RollingWindow
  readonly faults: FaultInjector
  readonly log: RequestLog
  /** The test hook in force (Sandbox's `setRequestHook`), run before each request is handled. */
  readonly beforeHandling: RequestHook
}

/**
 * The most of a body the sandbox reads: Fivetran's bodies here are a few hundred bytes, and an
 * unbounded read of a 600 MB body ended the process (a string past V8's length). Fivetran's own
 * limit is not documented.
 */
const MaxBodyBytes = 1024 * 1024

const payloadTooLarge = new ApiError({
  status: 413,
  code: "PayloadTooLarge",
  message: `The request body is over ${MaxBodyBytes} bytes, the most this sandbox reads`
})

/**
 * A declared length over the limit is refused before anything is read; a body without one (chunked)
 * is read up to the limit, past which the platform ends the read and the connection with it.
 */
const decodeBody = <A, I>(request: HttpServerRequest.HttpServerRequest, schema: Schema.Schema<A, I>) =>
  Number(request.headers["content-length"] ?? 0) > MaxBodyBytes ? Effect.fail(payloadTooLarge) : request.text.pipe(
    HttpIncomingMessage.withMaxBodySize(Option.some(MaxBodyBytes)),
    Effect.mapError(() => invalidInput("The request body could not be read")),
    Effect.flatMap((text) =>
      Effect.try({ try: (): unknown => JSON.parse(text), catch: () => invalidInput("The request body is not valid JSON") })
    ),
    Effect.flatMap((body) => Effect.mapError(Schema.decodeUnknown(schema, { errors: "all" })(body), describeParseError))
  )

const mediaType = (header: string) => header.split(";")[0]!.trim().toLowerCase()

/** A range's parameter `name` (lower-cased), if it has one: `q` of `application/json;q=0.5`. */
const parameterOf = (range: string, name: string) =>
  range.split(";").slice(1).map((parameter) => parameter.split("=").map((part) => part.trim().toLowerCase()))
    .find(([key]) => key === name)?.[1]

/**
 * Absent, or a range that takes JSON and is not refused by `q=0`: `*\/*`, `application/*`, or
 * `application/json` plain or with `version=2`, the two versions Fivetran lists (docs/fivetran-api.md §1.2).
 */
const acceptsJson = (accept: string | undefined) =>
  accept === undefined || accept.trim() === "" ||
  accept.split(",").some((range) => {
    const quality = parameterOf(range, "q")
    if (quality !== undefined && Number(quality) === 0) return false
    const type = mediaType(range)
    if (type === "application/*" || type === "*/*") return true
    const version = parameterOf(range, "version")
    return type === "application/json" && (version === undefined || version === "2")
  })

const notAcceptable = new ApiError({
  status: 406,
  code: "NotAcceptable",
  message: "This API only answers application/json (or application/json;version=2); send Accept: application/json"
})

const unsupportedMediaType = new ApiError({
  status: 415,
  code: "UnsupportedMediaType",
  message: "POST and PATCH bodies must be sent with Content-Type: application/json"
})

const pathPattern = (path: string) => new RegExp(`^${path.replace(/:[^/]+/g, "[^/]+")}$`)

/**
 * The router over the endpoints; each handler gets its caller from the `Caller` service and checks,
 * in order, that the caller may call the endpoint it matched (Access.ts), that the answer may be
 * JSON and that a body is declared JSON. A path no endpoint takes is 404 or 405 whatever its headers.
 */
const makeRouter = (state: AccountState, endpoints: ReadonlyArray<Endpoint>) =>
  endpoints.reduce(
    (router, endpoint) =>
      HttpRouter.route(endpoint.method)(
        endpoint.path as HttpRouter.PathInput,
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          const caller = yield* Caller
          const url = new URL(request.url, "http://sandbox")
          const denied = authorize(state, caller, endpoint.method, endpoint.path, url.pathname)
          if (denied) return yield* denied
          if (!acceptsJson(request.headers["accept"])) return yield* notAcceptable
          const contentType = request.headers["content-type"]
          if (
            (endpoint.method === "POST" || endpoint.method === "PATCH") &&
            (contentType === undefined || mediaType(contentType) !== "application/json")
          ) {
            return yield* unsupportedMediaType
          }
          const params = yield* HttpRouter.params
          const now = yield* Clock.currentTimeMillis
          return yield* endpoint.handle({
            params,
            query: url.searchParams,
            caller,
            now,
            body: (schema) => decodeBody(request, schema)
          })
        })
      )(router),
    HttpRouter.empty as HttpRouter.HttpRouter<ApiError, Caller>
  )

/** Rewrites a JSON answer as the fault plan says: invalid JSON, half a body, or a slow stream. */
const applyBodyFault = (
  response: HttpServerResponse.HttpServerResponse,
  fault: NonNullable<FaultPlan["body"]>,
  slow: { readonly chunkBytes: number; readonly chunkDelayMillis: number }
): HttpServerResponse.HttpServerResponse => {
  if (response.body._tag !== "Uint8Array") return response
  const bytes = response.body.body
  const options = { status: response.status, headers: response.headers, contentType: "application/json" }
  switch (fault) {
    case "malformed":
      return HttpServerResponse.text(`${new TextDecoder().decode(bytes).replace(/}\s*$/, "")},}`, options)
    case "truncated":
      return HttpServerResponse.uint8Array(bytes.slice(0, Math.floor(bytes.length / 2)), options)
    case "slow": {
      const chunks: Array<Uint8Array> = []
      for (let i = 0; i < bytes.length; i += slow.chunkBytes) chunks.push(bytes.slice(i, i + slow.chunkBytes))
      const body = Stream.fromIterable(chunks).pipe(
        Stream.zipWithIndex,
        Stream.mapEffect(([chunk, index]) =>
          index === 0 ? Effect.succeed(chunk) : Effect.as(Effect.sleep(Duration.millis(slow.chunkDelayMillis)), chunk)
        )
      )
      return HttpServerResponse.stream(body, { ...options, contentLength: bytes.length })
    }
  }
}

/** An injected 5xx's body. */
const serverFailure = (status: 500 | 502 | 503, message: string) =>
  json(status, { code: status === 500 ? "InternalServerError" : status === 502 ? "BadGateway" : "ServiceUnavailable", message })

/** The 429 or 5xx a fault plan answers with in place of the account. */
const injectedAnswer = (plan: FaultPlan): HttpServerResponse.HttpServerResponse =>
  plan.burstRetryAfter !== undefined
    ? errorReply(tooManyRequests("Too many requests (injected)", plan.burstRetryAfter))
    : serverFailure(plan.serverError ?? 500, "Injected server failure")

const bodyFaultKind = { malformed: "malformed", truncated: "truncated", slow: "slow-body" } as const

/**
 * The whole request pipeline: dropped connections, authentication, injected 429s and 5xx (answered
 * in front of the account: they spend none of its budget), the account's hourly budget (for requests
 * with valid credentials), the test hook, the 401 of a request that failed authentication,
 * authorisation, content negotiation, routing, injected body faults, the rate-limit headers on every
 * answer to known credentials, the injected latency, and the request log.
 */
export const makeSandboxApp = (deps: SandboxAppDeps) => {
  const router = makeRouter(deps.state, deps.endpoints)
  const patterns = deps.endpoints.map((e) => ({ method: e.method, pattern: pathPattern(e.path) }))

  const unrouted = (method: string, path: string) => {
    const allowed = [...new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method))]
    // A path that matches a pattern but no route (e.g. a malformed %-escape) is not found, whatever the method.
    return allowed.length === 0 || allowed.includes(method as Method)
      ? new ApiError({ status: 404, code: "NotFound", message: `No endpoint ${method} ${path}` })
      : new ApiError({
        status: 405,
        code: "MethodNotAllowed",
        message: `${method} is not allowed on ${path}; allowed: ${allowed.join(", ")}`,
        allow: allowed
      })
  }

  /** Answers a request past the budget and the injected faults as the caller it authenticated as on arrival. */
  const route = (method: string, path: string, caller: Credential | ApiError) =>
    Effect.gen(function*() {
      if (caller instanceof ApiError) return yield* caller
      return yield* router.pipe(
        Effect.provideService(Caller, caller),
        Effect.catchTag("RouteNotFound", () => Effect.fail(unrouted(method, path)))
      )
    }).pipe(Effect.catchTag("ApiError", (error) => Effect.succeed(errorReply(error))))

  return Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const clock = yield* Effect.clock
    const started = clock.unsafeCurrentTimeMillis()
    const startedNanos = clock.unsafeCurrentTimeNanos()
    const url = new URL(request.url, "http://sandbox")
    const method = request.method
    const path = url.pathname
    const record = (status: number, fault: FaultKind | null, rateLimitRemaining: number | null) =>
      Effect.map(Clock.currentTimeMillis, (ended) =>
        deps.log.add({
          method,
          path,
          query: url.search.slice(1),
          status,
          durationMillis: ended - started,
          fault,
          rateLimitRemaining
        }))

    const plan = deps.faults.plan(method)
    // The added latency is the time from the request's arrival to its answer, the sandbox's own work
    // included (as a server's own work is part of the delay its clients see): the answer is prepared
    // at once and held back for what remains. Sleeping first and working after let requests that
    // arrived together wake together and queue for this one thread, so its work was added on top.
    // Timed in nanoseconds: whole milliseconds lost up to one per request to truncation.
    const holdBack = Effect.suspend(() => {
      const remaining = BigInt(plan.latencyMillis) * 1_000_000n - (clock.unsafeCurrentTimeNanos() - startedNanos)
      return remaining > 0n ? Effect.sleep(Duration.nanos(remaining)) : Effect.void
    })
    if (plan.drop) {
      yield* holdBack
      yield* record(0, "dropped", null)
      NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
      return yield* Effect.never
    }

    const now = yield* Clock.currentTimeMillis
    // Authenticated once, on arrival. The budget is the account's (docs/fivetran-api.md §1.7): a
    // request whose credentials name no account spends none of it, is not refused by it, and is told
    // nothing of it (`route` answers 401).
    const credential = authenticate(deps.state, request.headers["authorization"])
    const known = !(credential instanceof ApiError)
    let fault: FaultKind | null = null
    let response: HttpServerResponse.HttpServerResponse
    let remaining: number | null
    if (plan.burstRetryAfter !== undefined || plan.serverError !== undefined) {
      // An injected 429 or 5xx stands for an answer from in front of the account (a gateway, a
      // proxy): Fivetran did no work, so it spends none of the budget (Fivetran's docs say nothing of
      // how its own refusals count; its budget refusals are not counted, RollingWindow). Its headers
      // say what is left, so a client does not take the 429 for a spent budget.
      remaining = known ? deps.rateLimit.remaining(now) : null
      fault = plan.burstRetryAfter !== undefined ? "rate-limit-burst" : "server-error"
      response = injectedAnswer(plan)
    } else {
      const admission = known ? deps.rateLimit.admit(now) : undefined
      remaining = admission === undefined ? null : admission._tag === "Admitted" ? admission.remaining : 0
      if (admission?._tag === "Refused") {
        response = errorReply(
          tooManyRequests(
            `Rate limit of ${deps.rateLimit.limit} requests per ${deps.rateLimit.windowText} exceeded`,
            admission.retryAfterSeconds
          )
        )
      } else {
        yield* deps.beforeHandling({ method, path })
        response = yield* route(method, path, credential)
        if (deps.faults.loseAnswer(method)) {
          yield* holdBack
          yield* record(0, "answer-lost", null)
          NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
          return yield* Effect.never
        }
        const failedAfterActing = deps.faults.failAfterActing(method)
        if (failedAfterActing !== undefined) {
          fault = "acted-then-failed"
          response = serverFailure(failedAfterActing, "Injected server failure after the request was handled")
        } else if (plan.body !== undefined) {
          fault = bodyFaultKind[plan.body]
          response = applyBodyFault(response, plan.body, deps.faults.slowBody)
        }
      }
    }
    yield* holdBack
    if (remaining !== null) {
      response = HttpServerResponse.setHeaders(response, {
        "x-rate-limit": String(deps.rateLimit.limit),
        "x-rate-limit-remaining": String(remaining),
        // Not a Fivetran header: announces a window other than the hour, so clients can pace to it.
        ...(deps.rateLimit.windowMillis === HOUR_MILLIS
          ? {}
          : { "x-rate-limit-window-seconds": String(deps.rateLimit.windowMillis / 1000) })
      })
    }
    yield* record(response.status, fault, remaining)
    if (response.body._tag === "Uint8Array" && isPageBuffer(response.body.body)) {
      // Reused once Node has handed all of it to the operating system (PageBuffers).
      const body = response.body.body
      NodeHttpServerRequest.toServerResponse(request).once("finish", () => returnPageBuffer(body))
    }
    return response
  })
}
