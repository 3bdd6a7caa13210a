import { assert, layer } from "@effect/vitest"
import { Effect, FastCheck as fc, Schema } from "effect"
import { harness, Harness, runSync, TestToken } from "./Harness.js"

/**
 * Property-based: random paths, methods, query strings, headers and bodies against the real
 * service (with a finished sync, provisioning on). Whatever is sent, the answer comes (no hang),
 * is never a 5xx, and every error has the one body shape; the service stays up. The seeds are
 * fixed so a failure reproduces; fast-check prints the smallest failing request.
 */

/** `{error, message, field?}`, plus the two documented details; nothing else. */
const ErrorBody = Schema.Struct({
  error: Schema.String.pipe(Schema.minLength(1)),
  message: Schema.String.pipe(Schema.minLength(1)),
  field: Schema.optional(Schema.String),
  job_id: Schema.optional(Schema.String),
  limit_bytes: Schema.optional(Schema.Number)
})
const decodeErrorBody = Schema.decodeUnknownEither(Schema.parseJson(ErrorBody), { onExcessProperty: "error" })

const segment = fc.oneof(
  fc.constantFrom(
    "v1",
    "syncs",
    "resources",
    "entitlements",
    "grants",
    "principals",
    "user",
    "team",
    "access",
    "file",
    "cancel",
    "accounts",
    "healthz",
    "readyz",
    "capabilities",
    "openapi.json",
    "docs",
    "..",
    ".",
    "%2e%2e",
    "%00",
    "%ff",
    "user:abc",
    "team:x:member",
    "role:Account%20Reviewer:assigned:user:u"
  ),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.string({ unit: "grapheme", maxLength: 6 }).map(encodeURIComponent),
  fc.constant("x".repeat(3000))
)
/** Half the paths are the Api's own, with random parameters; the rest anything. */
const knownPath = fc.tuple(
  fc.constantFrom(
    "/v1/resources",
    "/v1/entitlements",
    "/v1/grants",
    "/v1/syncs",
    "/v1/syncs/{}",
    "/v1/syncs/{}/file",
    "/v1/syncs/{}/cancel",
    "/v1/principals/user/{}/access",
    "/v1/principals/team/{}/access",
    "/v1/principals/{}/{}/access",
    "/v1/grants/{}",
    "/v1/resources/user/{}",
    "/v1/resources/{}/{}",
    "/v1/accounts",
    "/readyz",
    "/healthz",
    "/v1/capabilities"
  ),
  fc.array(segment, { minLength: 2, maxLength: 2 })
).map(([template, [a, b]]) => template.replace("{}", a!).replace("{}", b!))
const path = fc.oneof(
  knownPath,
  fc.array(segment, { minLength: 0, maxLength: 6 }).map((segments) => `/${segments.join("/")}`)
)

const queryValue = fc.oneof(
  fc.constantFrom("user", "team", "widget", "0", "-1", "1001", "1e309", "99999999999999999999", "user:x", "a:b:c", ""),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 8 })
)
const query = fc.array(
  fc.tuple(
    fc.constantFrom("type", "parent", "resource", "entitlement", "principal", "page_size", "page_token", "x", "type[]"),
    queryValue
  ),
  { maxLength: 4 }
).map((pairs) => pairs.length === 0 ? "" : `?${pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&")}`)

const method = fc.constantFrom("GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS")

const contentType = fc.option(
  fc.constantFrom(
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/problem+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/octet-stream",
    "",
    "json",
    ";;;"
  ),
  { nil: undefined }
)

const nested = fc.integer({ min: 1, max: 5000 }).chain((depth) =>
  fc.constantFrom("[".repeat(depth), "[".repeat(depth) + "]".repeat(depth), "{\"a\":".repeat(depth) + "1" + "}".repeat(depth))
)
const body = fc.option(
  fc.oneof(
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
    fc.record({
      entitlement_id: fc.oneof(fc.string(), fc.constantFrom("team:x:member", "role:Account Reviewer:assigned"), fc.integer()),
      principal: fc.oneof(
        fc.record({ type: fc.constantFrom("user", "team", "robot", ""), id: fc.oneof(fc.string(), fc.integer()) }),
        fc.jsonValue({ maxDepth: 2 })
      )
    }).map((value) => JSON.stringify(value)),
    fc.record({
      email: fc.oneof(fc.emailAddress(), fc.string()),
      given_name: fc.string({ unit: "grapheme" }),
      family_name: fc.oneof(fc.string(), fc.constant(null)),
      role: fc.option(fc.string(), { nil: undefined })
    }).map((value) => JSON.stringify(value)),
    nested,
    fc.constantFrom(
      "{\"entitlement_id\":\"team:x:member\",\"entitlement_id\":5}",
      "{\"email\":1e999999,\"given_name\":123456789012345678901234567890}",
      "{\"a\":\"\\ud800\"}",
      "{,}",
      "nul",
      "\u0000",
      "entitlement_id=team:x:member&principal=u"
    ),
    fc.string({ unit: "binary", maxLength: 200 })
  ),
  { nil: undefined }
)

const authorization = fc.constantFrom(
  `Bearer ${TestToken}`,
  `Bearer ${TestToken}`,
  `Bearer ${TestToken}`,
  undefined,
  "Bearer wrong",
  "Basic eDp5",
  "Bearer"
)

const extraHeaders = fc.dictionary(
  fc.constantFrom("accept", "x-forwarded-for", "x-request-id", "accept-encoding", "if-none-match", "range", "cookie"),
  fc.string({ maxLength: 40 }).filter((value) => /^[\x20-\x7e]*$/.test(value)),
  { maxKeys: 3 }
)

interface Answer {
  readonly status: number
  readonly contentType: string | null
  readonly text: string
}

const send = (baseUrl: string, request: {
  readonly method: string
  readonly url: string
  readonly body: string | undefined
  readonly contentType: string | undefined
  readonly authorization: string | undefined
  readonly headers: Record<string, string>
}) =>
  Effect.tryPromise({
    try: async (): Promise<Answer> => {
      const headers: Record<string, string> = { ...request.headers }
      if (request.authorization !== undefined) headers["authorization"] = request.authorization
      if (request.contentType !== undefined) headers["content-type"] = request.contentType
      const withBody = request.body !== undefined && request.method !== "GET" && request.method !== "HEAD"
      // A hang fails the property: every answer must come within this (generous, the machine is loaded).
      const response = await fetch(`${baseUrl}${request.url}`, {
        method: request.method,
        headers,
        ...(withBody ? { body: request.body } : {}),
        signal: AbortSignal.timeout(30_000)
      })
      return { status: response.status, contentType: response.headers.get("content-type"), text: await response.text() }
    },
    catch: (error) => new Error(`${request.method} ${request.url}: no answer (${String(error)})`)
  })

const checkAnswer = (label: string, answer: Answer, method: string) => {
  assert.isBelow(answer.status, 500, `${label}: ${answer.status} ${answer.text.slice(0, 300)}`)
  if (answer.status >= 400 && method !== "HEAD") {
    assert.include(answer.contentType ?? "", "application/json", label)
    const decoded = decodeErrorBody(answer.text)
    assert.isTrue(decoded._tag === "Right", `${label}: the error body is not {error, message, field?}: ${answer.text.slice(0, 300)}`)
    assert.notInclude(answer.text, "\n", `${label}: one line per message`)
  }
}

const outcomes = new Map<number, number>()

layer(harness({ provisioning: true }), { excludeTestServices: true, timeout: 120_000 })("hostile HTTP input", (it) => {
  it.effect("a finished sync is there to query", () => Effect.asVoid(runSync))

  it.effect.prop(
    "any method, path, query, headers and body: an answer, never a 5xx, always the one error shape",
    [method, path, query, contentType, body, authorization, extraHeaders],
    ([verb, pathText, queryText, type, payload, auth, headers]) =>
      Effect.gen(function*() {
        const { baseUrl } = yield* Harness
        const url = `${pathText}${queryText}`
        const answer = yield* send(baseUrl, { method: verb, url, body: payload, contentType: type, authorization: auth, headers })
        outcomes.set(answer.status, (outcomes.get(answer.status) ?? 0) + 1)
        checkAnswer(`${verb} ${url.slice(0, 200)}`, answer, verb)
      }).pipe(Effect.orDie),
    { fastCheck: { numRuns: 400, seed: 12_012 }, timeout: 300_000 }
  )

  it.effect.prop(
    "bodies aimed at the provisioning endpoints: never a 5xx, one error shape",
    [fc.constantFrom("/v1/grants", "/v1/accounts"), contentType, body],
    ([target, type, payload]) =>
      Effect.gen(function*() {
        const { baseUrl } = yield* Harness
        const answer = yield* send(baseUrl, {
          method: "POST",
          url: target,
          body: payload ?? "",
          contentType: type,
          authorization: `Bearer ${TestToken}`,
          headers: {}
        })
        outcomes.set(answer.status, (outcomes.get(answer.status) ?? 0) + 1)
        checkAnswer(`POST ${target} ${String(payload).slice(0, 100)}`, answer, "POST")
      }).pipe(Effect.orDie),
    { fastCheck: { numRuns: 300, seed: 12_013 }, timeout: 300_000 }
  )

  it.effect("the service is still up, and the statuses seen are reported", () =>
    Effect.gen(function*() {
      const { request } = yield* Harness
      assert.strictEqual((yield* request("GET", "/healthz")).status, 200)
      assert.strictEqual((yield* request("GET", "/v1/syncs", { token: TestToken })).status, 200)
      const seen = Array.from(outcomes).sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`)
      yield* Effect.logWarning(`hostile input: 700 requests, statuses ${seen.join(", ")}`)
      // The generators reach successes and every kind of refusal, not only one.
      for (const status of [200, 400, 401, 404, 415]) assert.isTrue(outcomes.has(status), `no ${status} was seen`)
    }))
})
