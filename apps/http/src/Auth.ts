import { Authentication, Unauthorized, UnauthorizedBody } from "@baton-fivetran/http-api"
import { HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { createHash, timingSafeEqual } from "node:crypto"
import { Effect, Layer, Option, Redacted, Schema } from "effect"

/**
 * The bearer-token check, once for every route that needs it: the Api's endpoints through its
 * `Authentication` middleware, the routes outside the Api (the documents, /metrics) through
 * `requireToken`, and a path no route matches through RequestFailures.ts. All three run
 * `authenticate`; no request is checked twice.
 *
 * Tokens are hashed first so that `timingSafeEqual` always compares equal-length buffers (a length
 * mismatch would otherwise leak through an early return), and every configured token is compared,
 * so the time taken does not depend on which one matched.
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

/** Fails with Unauthorized unless the request carries one of the tokens: the one definition of a valid token. */
export const authenticate = (
  tokens: ReadonlyArray<Redacted.Redacted<string>>
): Effect.Effect<void, Unauthorized, HttpServerRequest.HttpServerRequest> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    Option.match(refusal(request.headers.authorization, tokens), {
      onNone: () => Effect.void,
      onSome: Effect.fail
    }))

/**
 * The Api's bearer middleware. The platform hands it the text after `Bearer ` whatever the scheme
 * was, so it reads the header itself (another scheme is refused, the scheme's case is not).
 */
export const AuthenticationLive = (tokens: ReadonlyArray<Redacted.Redacted<string>>) =>
  Layer.succeed(Authentication, Authentication.of({ bearer: () => authenticate(tokens) }))

const encodeUnauthorized = Schema.encodeSync(UnauthorizedBody)

/**
 * `route` behind the same check, for what is not an Api endpoint. The refusal is answered here,
 * with the Api's 401 body: a route outside the Api has no error encoding of its own.
 */
export const requireToken =
  (tokens: ReadonlyArray<Redacted.Redacted<string>>) => <E, R>(route: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
    Effect.matchEffect(authenticate(tokens), {
      onFailure: (error) => Effect.succeed(HttpServerResponse.unsafeJson(encodeUnauthorized(error), { status: 401 })),
      onSuccess: () => route
    })

/**
 * Every 401 names the scheme it wants (RFC 9110 §15.5.2, RFC 6750 §3: `WWW-Authenticate: Bearer`),
 * whichever of the three checks refused: a client or proxy that follows the standard tells an
 * authentication challenge from other failures by it.
 */
export const bearerChallenge = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.zipRight(
    HttpApp.appendPreResponseHandler((_, response) =>
      Effect.succeed(
        response.status === 401 ? HttpServerResponse.setHeader(response, "www-authenticate", `Bearer realm="baton-fivetran"`) : response
      )
    ),
    app
  )
