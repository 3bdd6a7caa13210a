import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Option, Schema } from "effect"
import { InvalidRequest, PayloadTooLarge } from "./Api.js"

/**
 * Reads a request body once, before routing, with a size cap: a declared size above the cap is a
 * 413 (a chunked body that passes the cap is cut off by the platform, which closes the connection),
 * and a JSON body that does not parse is a 400 naming `body` (the platform would
 * otherwise answer both with a 500). The request caches the body read here, so the endpoint's
 * schema decoding reuses it. Both errors are declared on the Api, so they appear in the OpenAPI
 * document; they are encoded here because an Api-level middleware cannot fail (Http.ts runs this
 * before the token check).
 */
const refuse = <A, I>(schema: Schema.Schema<A, I>, error: A, status: number) =>
  HttpServerResponse.unsafeJson(Schema.encodeSync(schema)(error), { status })

export const bodyLimit = (limitBytes: number) =>
  <E, R>(app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      if (request.method === "GET" || request.method === "HEAD" || request.method === "OPTIONS") {
        return yield* app
      }
      const tooLarge = refuse(
        PayloadTooLarge,
        new PayloadTooLarge({ message: `the request body is larger than ${limitBytes} bytes`, limit_bytes: limitBytes }),
        413
      )
      const declared = Number(request.headers["content-length"] ?? "0")
      if (Number.isFinite(declared) && declared > limitBytes) {
        return tooLarge
      }
      const body = yield* request.text.pipe(
        HttpServerRequest.withMaxBodySize(Option.some(limitBytes)),
        Effect.map(Option.some),
        Effect.catchTag("RequestError", (error) =>
          String(error.cause).includes("maxBytes") ? Effect.succeed(Option.none<string>()) : Effect.die(error))
      )
      if (Option.isNone(body)) {
        return tooLarge
      }
      const contentType = request.headers["content-type"] ?? ""
      if (body.value.trim() !== "" && contentType.includes("json")) {
        const parsed = Option.liftThrowable((text: string) => JSON.parse(text) as unknown)(body.value)
        if (Option.isNone(parsed)) {
          return refuse(
            InvalidRequest,
            new InvalidRequest({ field: "body", message: "the request body is not valid JSON" }),
            400
          )
        }
      }
      return yield* app
    })
