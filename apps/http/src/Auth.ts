import { Authentication, ReadOnlyToken, ReadOnlyTokenBody, Unauthorized, UnauthorizedBody } from "@baton-fivetran/http-api"
import { HttpApp, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { createHash, timingSafeEqual } from "node:crypto"
import { Context, Effect, Layer, Option, Redacted, Ref, Schema } from "effect"
import { type Caller, callerName, callerOfDigest } from "./Caller.js"
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
 * so the time taken does not depend on which one matched. The configured tokens are hashed once, at
 * start-up and at each reload of a token file (TokenFileReload.ts, which swaps them whole: a request
 * is checked against the old list or the new, never a mix); a request's token once, however many
 * parts of the service ask whose it is.
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
/**
 * Where in `readTokens` a token of `tokens` is, if one is: read-only in name, it could provision
 * (what an operator who copied a scraper's token instead of moving it gets). Refused at start and at a reload.
 */
export const sharedReadToken = (accepted: ServiceTokens): Option.Option<number> => {
  const at = accepted.readTokens.findIndex((read) => accepted.tokens.some((token) => Redacted.value(token) === Redacted.value(read)))
  return at === -1 ? Option.none() : Option.some(at)
}

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest()

const digestsOf = (tokens: ReadonlyArray<Redacted.Redacted<string>>): ReadonlyArray<Buffer> =>
  tokens.map((token) => digest(Redacted.value(token)))

/** Whether `given` (a presented token's digest) is one of `digests`, every one of them compared. */
const digestMatches = (given: Buffer, digests: ReadonlyArray<Buffer>): boolean => {
  let matched = false
  for (const accepted of digests) {
    matched = timingSafeEqual(given, accepted) || matched
  }
  return matched
}

export const tokenMatches = (
  presented: string,
  tokens: ReadonlyArray<Redacted.Redacted<string>>
): boolean => digestMatches(digest(presented), digestsOf(tokens))

/** The configured tokens' digests, computed when the service starts or a token file is reloaded: a request hashes only its own token. */
interface TokenDigests {
  readonly full: ReadonlyArray<Buffer>
  readonly readOnly: ReadonlyArray<Buffer>
}

/**
 * Which of the service's tokens `presented` is, if any. Both lists are compared whatever the first
 * says, so the time taken does not tell a read-only token from another.
 */
const identify = (presented: string, digests: TokenDigests): Option.Option<Caller> => {
  const given = digest(presented)
  const full = digestMatches(given, digests.full)
  const readOnly = digestMatches(given, digests.readOnly)
  return full
    ? Option.some(callerOfDigest("token", given))
    : readOnly
    ? Option.some(callerOfDigest("read-token", given))
    : Option.none()
}

/** The callers a new list of tokens adds and removes, as the reload's log line names them. */
export interface TokenChange {
  readonly added: ReadonlyArray<Caller>
  readonly removed: ReadonlyArray<Caller>
}

const callersOf = (digests: TokenDigests): ReadonlyArray<Caller> => [
  ...digests.full.map((digest) => callerOfDigest("token", digest)),
  ...digests.readOnly.map((digest) => callerOfDigest("read-token", digest))
]

const tokenChange = (before: TokenDigests, after: TokenDigests): TokenChange => {
  const [was, is] = [callersOf(before), callersOf(after)]
  const [wasNamed, isNamed] = [new Set(was.map(callerName)), new Set(is.map(callerName))]
  return {
    added: is.filter((caller) => !wasNamed.has(callerName(caller))),
    removed: was.filter((caller) => !isNamed.has(callerName(caller)))
  }
}

const bearer = /^Bearer\s+(\S.*)$/i

/** What a request's Authorization header presents: nothing, too much, another scheme, or a bearer token and whose it is. */
type Presented =
  | { readonly _tag: "Missing" | "Repeated" | "NotBearer" }
  | { readonly _tag: "Bearer"; readonly caller: Option.Option<Caller> }

const presentedBy = (request: HttpServerRequest.HttpServerRequest, digests: TokenDigests): Presented => {
  const header = request.headers.authorization
  if (header === undefined) return { _tag: "Missing" }
  if (headerFieldCount(NodeHttpServerRequest.toIncomingMessage(request), "authorization") > 1) return { _tag: "Repeated" }
  if (header === "") return { _tag: "Missing" }
  const token = bearer.exec(header)?.[1]
  return token === undefined ? { _tag: "NotBearer" } : { _tag: "Bearer", caller: identify(token.trim(), digests) }
}

/** The methods that change nothing, which a read-only token may use. */
const reading = (method: string) => method === "GET" || method === "HEAD"

/**
 * Why a request's Authorization header is refused, if it is; the answer never repeats what was sent.
 * Two of them are refused whatever they hold: the first one counted, so a valid token followed by
 * any other passed, while a proxy in front may have read the other.
 */
const refusal = (presented: Presented, method: string, changes: boolean): Option.Option<Unauthorized | ReadOnlyToken> => {
  switch (presented._tag) {
    case "Repeated":
      return Option.some(
        new Unauthorized({ message: "the request has more than one Authorization header; send one: `Authorization: Bearer <token>`" })
      )
    case "Missing":
      return Option.some(new Unauthorized({ message: "missing Authorization header; send `Authorization: Bearer <token>`" }))
    case "NotBearer":
      return Option.some(
        new Unauthorized({ message: "the Authorization header holds no bearer token; send `Authorization: Bearer <token>`" })
      )
    case "Bearer": {
      const { caller } = presented
      if (Option.isNone(caller)) return Option.some(new Unauthorized({ message: "the bearer token is not valid for this service" }))
      if (caller.value.kind === "token" || !changes) return Option.none()
      return Option.some(
        new ReadOnlyToken({
          message: `the bearer token is read-only (--read-token): it cannot ${method} this path, which changes something; ` +
            "send a token of --token (BATON_HTTP_TOKENS)"
        })
      )
    }
  }
}

const encodeUnauthorized = Schema.encodeSync(UnauthorizedBody)
const encodeReadOnlyToken = Schema.encodeSync(ReadOnlyTokenBody)

const refusalResponse = (error: Unauthorized | ReadOnlyToken) =>
  error._tag === "Unauthorized"
    ? HttpServerResponse.unsafeJson(encodeUnauthorized(error), { status: 401 })
    : HttpServerResponse.unsafeJson(encodeReadOnlyToken(error), { status: 403 })

export interface TokenCheckShape {
  /**
   * The caller of a request: the service's token its one Authorization header carries, whether or
   * not the route then accepts it (a read-only token's write is refused, and its line still says whose it was).
   */
  readonly callerOf: (request: HttpServerRequest.HttpServerRequest) => Effect.Effect<Option.Option<Caller>>
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
  /**
   * `requireToken` for an answer that changes nothing whatever the method: a path no route matches.
   * A read-only token's `POST /v1/sycns` is told the path does not exist, as a full token is, not
   * that its token cannot write there.
   */
  readonly requireAnyToken: <E, R>(
    route: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest>
  /** Accepts `accepted` instead, for the requests checked from now on (a reloaded token file); says which callers changed. */
  readonly replace: (accepted: ServiceTokens) => Effect.Effect<TokenChange>
}

/**
 * The service's one token check, counting refused tokens in its FailedAuthentications. A request's
 * header is read and its token identified once, whichever of the request log (`callerOf`) and the
 * routes' checks asks first; the answer is kept with the request (by Node's message, which every
 * view of the request shares) until the request is gone.
 */
export class TokenCheck extends Context.Tag("baton-http/TokenCheck")<TokenCheck, TokenCheckShape>() {
  static readonly layer = (accepted: ServiceTokens): Layer.Layer<TokenCheck, never, FailedAuthentications> =>
    Layer.effect(
      TokenCheck,
      Effect.gen(function*() {
        const failures = yield* FailedAuthentications
        const digestsFor = (tokens: ServiceTokens): TokenDigests => ({
          full: digestsOf(tokens.tokens),
          readOnly: digestsOf(tokens.readTokens)
        })
        const digests = yield* Ref.make(digestsFor(accepted))
        const identified = new WeakMap<object, Presented>()
        const presentedOf = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<Presented> => {
          const key = NodeHttpServerRequest.toIncomingMessage(request)
          const known = identified.get(key)
          if (known !== undefined) return Effect.succeed(known)
          return Effect.map(Ref.get(digests), (current) => {
            const presented = presentedBy(request, current)
            identified.set(key, presented)
            return presented
          })
        }
        const checkToken = (writes: boolean) =>
          Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
            Effect.flatMap(presentedOf(request), (presented) =>
              Option.match(refusal(presented, request.method, writes && !reading(request.method)), {
                onNone: () =>
                  Effect.void,
                onSome: (error) =>
                  // Only a guess is counted: no header guesses nothing, and a read-only token was recognised.
                  request.headers.authorization === undefined || request.headers.authorization === "" ||
                    error._tag === "ReadOnlyToken"
                    ? Effect.fail(error)
                    : Effect.zipRight(
                      failures.record(Option.getOrElse(request.remoteAddress, () =>
                        "unknown")),
                      Effect.fail(error)
                    )
              })))
        const authenticate = checkToken(true)
        const answeredBehind = (check: typeof authenticate) => <E, R>(route: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
          Effect.matchEffect(check, {
            onFailure: (error) =>
              Effect.succeed(refusalResponse(error)),
            onSuccess: () => route
          })
        return TokenCheck.of({
          callerOf: (request) =>
            Effect.map(presentedOf(request), (presented) => presented._tag === "Bearer" ? presented.caller : Option.none()),
          authenticate,
          requireToken: answeredBehind(authenticate),
          requireAnyToken: answeredBehind(checkToken(false)),
          replace: (tokens) =>
            Ref.modify(digests, (before) => {
              const after = digestsFor(tokens)
              return [tokenChange(before, after), after]
            })
        })
      })
    )
}

/**
 * The Api's bearer middleware. The platform hands it the text after `Bearer ` whatever the scheme
 * was, so it reads the header itself (another scheme is refused, the scheme's case is not).
 */
export const AuthenticationLive: Layer.Layer<Authentication, never, TokenCheck> = Layer.effect(
  Authentication,
  Effect.map(TokenCheck, (check) => Authentication.of({ bearer: () => check.authenticate }))
)

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
