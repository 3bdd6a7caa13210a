import { Authentication, ReadOnlyToken, ReadOnlyTokenBody, Unauthorized, UnauthorizedBody } from "@baton-fivetran/http-api"
import { HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { createHash, timingSafeEqual } from "node:crypto"
import { Effect, Layer, Option, Redacted, Schema } from "effect"
import { type Caller, callerOfDigest } from "./Caller.js"
import { FailedAuthentications } from "./FailedAuthentications.js"
import { headerFieldCount } from "./HeaderFields.js"

/**
 * The bearer-token check, once for every route that needs it: the Api's endpoints through its
 * `Authentication` middleware, the routes outside the Api (the documents, /metrics) through
 * `requireToken`, and a path no route matches through RequestFailures.ts. All three run one
 * `TokenCheck`'s `authenticate`; no request is checked twice. A token sent and refused is counted
 * by FailedAuthentications.ts, which logs it by peer address.
 *
 * Tokens are hashed first so that `timingSafeEqual` always compares equal-length buffers (a length
 * mismatch would otherwise leak through an early return), and every configured token is compared,
 * so the time taken does not depend on which one matched.
 *
 * A token of `--read-token` reads (GET, HEAD) and nothing more: a request that would change
 * something (provisioning, starting or cancelling a sync) is refused with ReadOnlyToken (403). A
 * Prometheus, an auditor's explorer or a read-only integration then holds no credential that can
 * grant access in Fivetran.
 *
 * The token a request carried is named in its log lines by `callerOf` (Caller.ts), a fingerprint
 * computed by the same comparison: never the token itself.
 */

/** The tokens the service accepts: those of `--token` for every request, those of `--read-token` for reading. */
export interface ServiceTokens {
  readonly tokens: ReadonlyArray<Redacted.Redacted<string>>
  readonly readTokens: ReadonlyArray<Redacted.Redacted<string>>
}
const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest()

/** Whether `given` (a presented token's digest) is one of `tokens`, every one of them compared. */
const digestMatches = (given: Buffer, tokens: ReadonlyArray<Redacted.Redacted<string>>): boolean => {
  let matched = false
  for (const token of tokens) {
    matched = timingSafeEqual(given, digest(Redacted.value(token))) || matched
  }
  return matched
}

export const tokenMatches = (
  presented: string,
  tokens: ReadonlyArray<Redacted.Redacted<string>>
): boolean => digestMatches(digest(presented), tokens)

/**
 * Which of the service's tokens `presented` is, if any. Both lists are compared whatever the first
 * says, so the time taken does not tell a read-only token from another.
 */
const identify = (presented: string, accepted: ServiceTokens): Option.Option<Caller> => {
  const given = digest(presented)
  const full = digestMatches(given, accepted.tokens)
  const readOnly = digestMatches(given, accepted.readTokens)
  return full
    ? Option.some(callerOfDigest("token", given))
    : readOnly
    ? Option.some(callerOfDigest("read-token", given))
    : Option.none()
}

const bearer = /^Bearer\s+(\S.*)$/i

/**
 * The caller of a request: the service's token its one Authorization header carries, whether or not
 * the route then accepts it (a read-only token's write is refused, and its line still says whose it was).
 */
export const callerOf = (accepted: ServiceTokens) => (request: HttpServerRequest.HttpServerRequest): Option.Option<Caller> => {
  const header = request.headers.authorization
  if (header === undefined || headerFieldCount(NodeHttpServerRequest.toIncomingMessage(request), "authorization") > 1) {
    return Option.none()
  }
  const presented = bearer.exec(header)?.[1]
  return presented === undefined ? Option.none() : identify(presented.trim(), accepted)
}

/** The methods that change nothing, which a read-only token may use. */
const reading = (method: string) => method === "GET" || method === "HEAD"

/**
 * Why an `Authorization` header is refused, if it is; the answer never repeats what was sent. Two
 * of them are refused whatever they hold: the first one counted, so a valid token followed by any
 * other passed, while a proxy in front may have read the other.
 */
const refusal = (
  header: string | undefined,
  fields: number,
  method: string,
  accepted: ServiceTokens
): Option.Option<Unauthorized | ReadOnlyToken> => {
  if (fields > 1) {
    return Option.some(
      new Unauthorized({ message: "the request has more than one Authorization header; send one: `Authorization: Bearer <token>`" })
    )
  }
  if (header === undefined || header === "") {
    return Option.some(new Unauthorized({ message: "missing Authorization header; send `Authorization: Bearer <token>`" }))
  }
  const presented = bearer.exec(header)?.[1]
  if (presented === undefined) {
    return Option.some(
      new Unauthorized({ message: "the Authorization header holds no bearer token; send `Authorization: Bearer <token>`" })
    )
  }
  const caller = identify(presented.trim(), accepted)
  const readOnly = Option.isSome(caller) && caller.value.kind === "read-token"
  if (Option.isSome(caller) && (!readOnly || reading(method))) return Option.none()
  return readOnly
    ? Option.some(
      new ReadOnlyToken({
        message: `the bearer token is read-only (--read-token): it cannot ${method} this path, which changes something; ` +
          "send a token of --token (BATON_HTTP_TOKENS)"
      })
    )
    : Option.some(new Unauthorized({ message: "the bearer token is not valid for this service" }))
}

const encodeUnauthorized = Schema.encodeSync(UnauthorizedBody)
const encodeReadOnlyToken = Schema.encodeSync(ReadOnlyTokenBody)

const refusalResponse = (error: Unauthorized | ReadOnlyToken) =>
  error._tag === "Unauthorized"
    ? HttpServerResponse.unsafeJson(encodeUnauthorized(error), { status: 401 })
    : HttpServerResponse.unsafeJson(encodeReadOnlyToken(error), { status: 403 })

export interface TokenCheck {
  /**
   * Fails with Unauthorized unless the request carries one of the tokens, and with ReadOnlyToken for
   * a read-only one on a request that changes something: the one definition of a valid token.
   */
  readonly authenticate: Effect.Effect<void, Unauthorized | ReadOnlyToken, HttpServerRequest.HttpServerRequest>
  /**
   * `route` behind the same check, for what is not an Api endpoint. The refusal is answered here,
   * with the Api's 401 or 403 body: a route outside the Api has no error encoding of its own.
   */
  readonly requireToken: <E, R>(
    route: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest>
}

/** The check for these tokens, counting refused ones in the service's FailedAuthentications. */
export const tokenCheck = (
  accepted: ServiceTokens
): Effect.Effect<TokenCheck, never, FailedAuthentications> =>
  Effect.map(FailedAuthentications, (failures) => {
    const authenticate = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
      const header = request.headers.authorization
      const fields = headerFieldCount(NodeHttpServerRequest.toIncomingMessage(request), "authorization")
      return Option.match(refusal(header, fields, request.method, accepted), {
        onNone: () => Effect.void,
        onSome: (error) =>
          // Only a guess is counted: no header guesses nothing, and a read-only token was recognised.
          header === undefined || header === "" || error._tag === "ReadOnlyToken"
            ? Effect.fail(error)
            : Effect.zipRight(failures.record(Option.getOrElse(request.remoteAddress, () => "unknown")), Effect.fail(error))
      })
    })
    return {
      authenticate,
      requireToken: (route) =>
        Effect.matchEffect(authenticate, {
          onFailure: (error) => Effect.succeed(refusalResponse(error)),
          onSuccess: () => route
        })
    } satisfies TokenCheck
  })

/**
 * The Api's bearer middleware. The platform hands it the text after `Bearer ` whatever the scheme
 * was, so it reads the header itself (another scheme is refused, the scheme's case is not).
 */
export const AuthenticationLive = (accepted: ServiceTokens) =>
  Layer.effect(Authentication, Effect.map(tokenCheck(accepted), (check) => Authentication.of({ bearer: () => check.authenticate })))

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
