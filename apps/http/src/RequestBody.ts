import { HttpServerRequest, type HttpServerResponse } from "@effect/platform"
import { Effect, Option } from "effect"
import { InvalidRequest, PayloadTooLarge, UnsupportedMediaType } from "@baton-fivetran/http-api"

/**
 * Checks a request body once, before routing and before the token check (they reveal nothing, and
 * an oversized body is refused before anything else reads it): a body over the size cap is a 413
 * (a declared size at once; a chunked body that passes the cap is cut off by the platform, which
 * closes the connection), a request declared as anything but JSON (even with an empty body) is a
 * 415 saying what to send, and a
 * JSON body that does not parse or nests deeper than `MaxJsonDepth` is a 400 naming `body`. The
 * request caches the body read here, so the endpoint's schema decoding reuses it; the depth limit
 * keeps that decoding (and JSON.parse) far from the stack's limit.
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

const quoted = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value)

export const requestBodyChecks = (limitBytes: number) =>
  <E, R>(app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      if (request.method === "GET" || request.method === "HEAD" || request.method === "OPTIONS") {
        return yield* app
      }
      const tooLarge = new PayloadTooLarge({
        message: `the request body is larger than ${limitBytes} bytes`,
        limit_bytes: limitBytes
      })
      const declared = Number(request.headers["content-length"] ?? "0")
      if (Number.isFinite(declared) && declared > limitBytes) {
        return yield* tooLarge
      }
      const body = yield* request.text.pipe(
        HttpServerRequest.withMaxBodySize(Option.some(limitBytes)),
        Effect.map(Option.some),
        Effect.catchTag("RequestError", (error) =>
          String(error.cause).includes("maxBytes") ? Effect.succeed(Option.none<string>()) : Effect.die(error))
      )
      if (Option.isNone(body)) {
        return yield* tooLarge
      }
      // Even with an empty body: the platform reads a payload of another declared type as a
      // stream this check has already consumed, and would wait for it forever.
      const contentType = request.headers["content-type"]
      if (!declaresJson(contentType)) {
        return yield* new UnsupportedMediaType({
          message: `the request body must be JSON sent with "content-type: application/json"; got content-type ${
            quoted(contentType ?? "")
          }`
        })
      }
      if (body.value.trim() === "") {
        return yield* app
      }
      if (jsonDepth(body.value) > MaxJsonDepth) {
        return yield* new InvalidRequest({
          field: "body",
          message: `the JSON body nests deeper than ${MaxJsonDepth} levels, the limit`
        })
      }
      if (Option.isNone(Option.liftThrowable((text: string) => JSON.parse(text) as unknown)(body.value))) {
        return yield* new InvalidRequest({ field: "body", message: "the request body is not valid JSON" })
      }
      return yield* app
    })
