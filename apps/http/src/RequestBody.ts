import { echoed, parseStrictJson } from "@baton-fivetran/connector-core"
import { fieldName, InvalidRequest, PayloadTooLarge, quoted, UnsupportedMediaType } from "@baton-fivetran/http-api"
import { HttpServerError, HttpServerRequest, type HttpServerResponse } from "@effect/platform"
import { NodeStream } from "@effect/platform-node"
import { Chunk, Effect, Either, Stream } from "effect"
import { IncomingMessage } from "node:http"

/**
 * Checks a request body once, before routing and before the token check (they reveal nothing, and
 * an oversized body is refused before anything else reads it): a body over the size cap is a 413
 * (a declared size at once; a chunked body as soon as the bytes read pass the cap, the rest left
 * unread; either answer closes the connection), a request declared as anything but JSON (even with
 * an empty body) is a 415 saying what to send, and a JSON body that does not parse or nests deeper
 * than `MaxJsonDepth` is a 400 naming `body`, one that gives a key twice in an object a 400 naming
 * that key (connector-core's StrictJson). The endpoint then reads the body read and parsed here;
 * the depth limit keeps its schema decoding (and JSON.parse) far from the stack's limit.
 */

/** Deeper JSON is refused: no request of this Api nests more than 3 levels. */
export const MaxJsonDepth = 64

/** The deepest nesting of arrays and objects in a JSON text, counted in one pass without parsing. */
export const jsonDepth = (text: string): number => {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i)
    if (inString) {
      if (char === 0x5c) i++ // backslash: skip the escaped character
      else if (char === 0x22) inString = false
    } else if (char === 0x22) {
      inString = true
    } else if (char === 0x5b || char === 0x7b) {
      depth++
      if (depth > deepest) deepest = depth
    } else if (char === 0x5d || char === 0x7d) {
      depth--
    }
  }
  return deepest
}

/**
 * `application/json`, parameters such as `charset` aside; a missing header counts as JSON, as the
 * platform reads it so. Not `+json` types: the platform would not read those as JSON.
 */
const declaresJson = (contentType: string | undefined): boolean =>
  contentType === undefined || contentType.trim() === "" ||
  contentType.split(";")[0]!.trim().toLowerCase() === "application/json"

/**
 * The body's bytes, counted as they arrive: past `limitBytes` it fails with `tooLarge` at
 * once. The count is ours because the platform's own cap (`HttpServerRequest.withMaxBodySize`)
 * fails with the same `RequestError` (reason "Decode") as a client that went away, told apart only
 * by its message. A body that stops arriving fails as the platform's read does (bodyStream).
 */
const readBody = (request: HttpServerRequest.HttpServerRequest, limitBytes: number, tooLarge: PayloadTooLarge) =>
  bodyStream(request).pipe(
    Stream.mapAccumEffect(0, (read, chunk: Uint8Array) => {
      const total = read + chunk.byteLength
      return total > limitBytes ? Effect.fail(tooLarge) : Effect.succeed([total, chunk] as const)
    }),
    Stream.runCollect,
    Effect.map((chunks) => Buffer.concat(Chunk.toReadonlyArray(chunks)))
  )

/**
 * A Node request's body, left open when its reading stops at the cap, not destroyed as the
 * platform's stream leaves it: destroyed, its 413 was never sent, so neither logged nor counted;
 * sent, it closes the connection, as any answer before the whole body does (Http.ts's
 * requestChecks). Another server's request (a web handler's) through the platform's stream.
 */
const bodyStream = (request: HttpServerRequest.HttpServerRequest): Stream.Stream<Uint8Array> => {
  const source = request.source
  // A connection that ends mid-body (its client hung up, or Node answered 408 and closed it) fails as
  // the platform's own stream fails, a RequestError, which answers 400: as a bare defect it was a 500,
  // logged at error, and fired the service's 5xx alert for a client's slow or abandoned upload.
  const unreadable = (cause: unknown) => new HttpServerError.RequestError({ request, reason: "Decode", cause })
  return source instanceof IncomingMessage
    ? Stream.orDie(NodeStream.fromReadable(() => source, unreadable, { closeOnDone: false }))
    : Stream.orDie(request.stream)
}

/** A body's text; none when its bytes are not UTF-8 (a decoder replacing them made `user ��` out of an id). */
const utf8Text = (bytes: Uint8Array): string | undefined => {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/**
 * What the request says about its body's encoding that this service cannot read: a compression
 * (`Content-Encoding: gzip`: the body was refused as "not valid JSON", and an uncompressed body
 * labelled gzip was taken as it was) or a charset other than UTF-8 (`charset=utf-16` was read as
 * UTF-8). Said as the 415's reason.
 */
const unreadableEncoding = (request: HttpServerRequest.HttpServerRequest): string | undefined => {
  const encoding = request.headers["content-encoding"]
  if (encoding !== undefined && encoding.trim() !== "" && encoding.trim().toLowerCase() !== "identity") {
    return `the request body must be sent uncompressed; got content-encoding ${quoted(encoding)}`
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(request.headers["content-type"] ?? "")?.[1]
  if (charset !== undefined && !["utf-8", "utf8"].includes(charset.toLowerCase())) {
    return `the request body must be UTF-8 JSON; got charset ${quoted(charset)}`
  }
  return undefined
}

/**
 * The request as the endpoint sees it: its body is the one read and parsed here, since the
 * platform's stream of it is consumed. Only `text` and `json` are given: any other content type
 * was refused with 415 before the endpoint runs.
 */
const withBody = (request: HttpServerRequest.HttpServerRequest, text: string, json: unknown) =>
  Object.create(request, {
    text: { value: Effect.succeed(text) },
    json: { value: Effect.succeed(json) }
  }) as HttpServerRequest.HttpServerRequest

/** The name of the first parameter in a request target's query, if it has one. */
const firstQueryParameter = (target: string): string | undefined => {
  const query = target.indexOf("?")
  if (query === -1) return undefined
  const first = new URLSearchParams(target.slice(query + 1)).keys().next()
  return first.done === true ? undefined : first.value
}

/**
 * For a read that takes no query parameters (a job, the jobs, a principal's access, the schedule,
 * the capabilities): one is refused, naming it, as the listings refuse one they do not take.
 * Ignored, `GET /v1/syncs?status=failed` answered every job and `?page_size=1` the whole access.
 */
export const noQueryParameters: Effect.Effect<void, InvalidRequest, HttpServerRequest.HttpServerRequest> = Effect.gen(
  function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const parameter = firstQueryParameter(request.url)
    if (parameter === undefined) return
    const field = echoed(parameter)
    return yield* new InvalidRequest({
      field,
      message: `${fieldName(parameter)} is not a field of this request (it takes no query parameters)`
    })
  }
)

/**
 * For a write whose arguments are all in its path (starting or cancelling a sync): a body giving
 * fields is refused, naming the first. `POST /v1/syncs {"sync_connections": true}` was accepted
 * and ran a sync without them. No body, `null` and `{}` are taken.
 */
export const noBodyFields: Effect.Effect<void, InvalidRequest, HttpServerRequest.HttpServerRequest> = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const json = yield* Effect.orDie(request.json)
  if (json === null) return
  const fields = typeof json === "object" && !Array.isArray(json) ? Object.keys(json) : ["body"]
  if (fields.length === 0) return
  const field = echoed(fields[0]!)
  return yield* new InvalidRequest({
    field,
    message: field === "body"
      ? "this request takes no body (or an empty JSON object)"
      : `${fieldName(fields[0]!)} is not a field of this request (it takes no body)`
  })
})

/** A request that may change something: its arguments are in its path and body, never its query. */
export const isWrite = (method: string) => method !== "GET" && method !== "HEAD" && method !== "OPTIONS"

export const requestBodyChecks = (limitBytes: number) => <E, R>(app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (!isWrite(request.method)) return yield* app
    const tooLarge = new PayloadTooLarge({
      message: `the request body is larger than ${limitBytes} bytes`,
      limit_bytes: limitBytes
    })
    const declared = Number(request.headers["content-length"] ?? "0")
    if (Number.isFinite(declared) && declared > limitBytes) {
      return yield* tooLarge
    }
    const bytes = yield* readBody(request, limitBytes, tooLarge)
    // Even with an empty body: the platform would read a payload of another declared type from
    // the stream this check has already consumed.
    const contentType = request.headers["content-type"]
    if (!declaresJson(contentType)) {
      return yield* new UnsupportedMediaType({
        message: `the request body must be JSON sent with "content-type: application/json"; got content-type ${quoted(contentType ?? "")}`
      })
    }
    const encoding = unreadableEncoding(request)
    if (encoding !== undefined) return yield* new UnsupportedMediaType({ message: encoding })
    const body = utf8Text(bytes)
    if (body === undefined) {
      return yield* new InvalidRequest({ field: "body", message: "the request body is not valid UTF-8" })
    }
    const provideBody = (json: unknown) => Effect.provideService(app, HttpServerRequest.HttpServerRequest, withBody(request, body, json))
    // No body reads as null, as the platform reads it; the endpoint's schema says whether it needs one.
    if (body.trim() === "") {
      return yield* provideBody(null)
    }
    if (jsonDepth(body) > MaxJsonDepth) {
      return yield* new InvalidRequest({
        field: "body",
        message: `the JSON body nests deeper than ${MaxJsonDepth} levels, the limit`
      })
    }
    const json = parseStrictJson(body)
    if (Either.isRight(json)) return yield* provideBody(json.right)
    if (json.left._tag === "NotJson") {
      return yield* new InvalidRequest({ field: "body", message: "the request body is not valid JSON" })
    }
    // The path as a schema issue names a field (`principal.id`); cut, so a hostile key is not echoed whole.
    const field = echoed(json.left.path.join("."))
    return yield* new InvalidRequest({
      field,
      message: `${field} is given twice in the request body; give each field once (JSON parsers disagree on which one counts)`
    })
  })
