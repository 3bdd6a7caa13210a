import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { createHash, timingSafeEqual } from "node:crypto"
import { Effect, Layer, Option, Redacted, Schema } from "effect"
import { Authentication, Unauthorized, UnauthorizedBody } from "@baton-fivetran/http-api"
import { ExplorerPaths } from "./Explorer.js"

/**
 * Bearer-token check. Tokens are hashed first so that `timingSafeEqual` always compares equal-length
 * buffers (a length mismatch would otherwise leak through an early return), and every configured
 * token is compared, so the time taken does not depend on which one matched.
 */
const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest()

export const tokenMatches = (
  presented: string,
  tokens: ReadonlyArray<Redacted.Redacted<string>>
): boolean => {
  const given = digest(presented)
  let matched = false
  for (const token of tokens) {
    matched = timingSafeEqual(given, digest(Redacted.value(token))) || matched
  }
  return matched
}

const bearer = /^Bearer\s+(\S.*)$/i

/** Why an `Authorization` header is refused, if it is; the answer never repeats what was sent. */
const refusal = (
  header: string | undefined,
  tokens: ReadonlyArray<Redacted.Redacted<string>>
): Option.Option<Unauthorized> => {
  if (header === undefined || header === "") {
    return Option.some(new Unauthorized({ message: "missing Authorization header; send `Authorization: Bearer <token>`" }))
  }
  const presented = bearer.exec(header)?.[1]
  return presented !== undefined && tokenMatches(presented.trim(), tokens)
    ? Option.none()
    : Option.some(new Unauthorized({ message: "the bearer token is not valid for this service" }))
}

/** The Api's own bearer middleware: it declares the security scheme in the OpenAPI document and the client. */
export const AuthenticationLive = (tokens: ReadonlyArray<Redacted.Redacted<string>>) =>
  Layer.succeed(
    Authentication,
    Authentication.of({
      bearer: () =>
        Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
          Option.match(refusal(request.headers.authorization, tokens), {
            onNone: () => Effect.void,
            onSome: Effect.fail
          }))
    })
  )

/**
 * The path as the router matches it, loosely: without the query, in lower case, without doubled
 * or trailing slashes. A spelling this misses is simply not public, so it needs a token.
 */
const routedPath = (url: string): string => {
  const query = url.indexOf("?")
  const path = (query === -1 ? url : url.slice(0, query)).toLowerCase().replace(/\/{2,}/g, "/")
  return path.length > 1 ? path.replace(/\/$/, "") : path
}

const DocsPaths: ReadonlyArray<string> = ["/openapi.json", "/docs"]

const encodeUnauthorized = Schema.encodeSync(UnauthorizedBody)

/**
 * Every request needs a token unless its path is public: `/healthz` and the explorer page's files
 * (Explorer.ts) always, the OpenAPI document and Swagger UI only when `publicDocs` is on, `/metrics`
 * only when `publicMetrics` is on. This gate covers the routes outside the Api's
 * groups (the documents), and it fails closed: an unknown path is 401 without a token, not 404.
 */
export const requireToken = (options: {
  readonly tokens: ReadonlyArray<Redacted.Redacted<string>>
  readonly publicDocs: boolean
  readonly publicMetrics: boolean
}) => {
  const publicPaths = new Set([
    "/healthz",
    ...ExplorerPaths,
    ...(options.publicDocs ? DocsPaths : []),
    ...(options.publicMetrics ? ["/metrics"] : [])
  ])
  return <E, R>(app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
    Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
      if (publicPaths.has(routedPath(request.url))) return app
      return Option.match(refusal(request.headers.authorization, options.tokens), {
        onNone: () => app,
        onSome: (error) => Effect.succeed(HttpServerResponse.unsafeJson(encodeUnauthorized(error), { status: 401 }))
      })
    })
}
