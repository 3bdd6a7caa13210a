import { HttpApiError, HttpServerError, HttpServerRequest, type HttpServerResponse } from "@effect/platform"
import { Cause, Effect, Option } from "effect"
import { echoed } from "@baton-fivetran/connector-core"
import { fieldName, InternalError, InvalidRequest, NotFound } from "@baton-fivetran/http-api"
import type { TokenCheckShape } from "./Auth.js"
import { originForm, undecodableParameter } from "./Routes.js"
import { ServiceStopping, stoppingResponse } from "./ServiceStopping.js"

/**
 * The failures the platform raises on its own, turned into the Api's errors so that every answer
 * has the one error body (@baton-fivetran/http-api ErrorBody.ts): a request that does not match
 * an endpoint's schema (`HttpApiDecodeError`, with a tree of issues) becomes one InvalidRequest
 * naming the field, an unknown path (`RouteNotFound`, an empty 404) becomes NotFound (Unauthorized
 * without a token) unless it is a route's path with a parameter that is not valid percent-encoding
 * (InvalidRequest naming the parameter), a request whose work the stop ended (ServiceStopping, which no endpoint declares,
 * so carried as a defect) is answered as the stop answers, and any other defect becomes InternalError
 * (logged with its cause, never shown to the caller).
 */

type Issue = HttpApiError.HttpApiDecodeError["issues"][number]

const typeIssue = /^Expected ([\s\S]*), actual ([\s\S]*)$/
/** A field the endpoint's body does not have (its schemas refuse excess properties). */
const excessIssue = /^is unexpected, expected: ([\s\S]*)$/

const keywords = new Map([
  ["string", "a string"],
  ["number", "a number"],
  ["boolean", "true or false"],
  ["null", "null"],
  ["true", "true"],
  ["false", "false"]
])

/**
 * What a type issue expected, in plain words. Effect names a schema by its identifier or
 * description there, which is no type name ("expected ResourceType"), so only a literal, a keyword,
 * an object or an array is named; a parameter says what it takes itself (http-api Parameters.ts).
 */
const wanted = (expected: string) =>
  expected.startsWith("{")
    ? "an object"
    : expected.startsWith("ReadonlyArray") || expected.startsWith("[")
    ? "an array"
    : /^"[^"\n]{1,80}"$/.test(expected)
    ? expected
    : keywords.get(expected) ?? "a different value"

/**
 * One sentence for the issues of one field. Several "Expected X, actual Y" issues on a field are
 * the members of a union (a literal choice, or an optional parameter's `undefined`): they read as
 * one "expected A or B". The schemas' own messages are kept as they are.
 */
const readable = (field: string, issues: ReadonlyArray<Issue>): string => {
  const first = issues[0]!
  if (first.message === "is missing") return `${field} is missing`
  const excess = excessIssue.exec(first.message)
  if (excess !== null) {
    return `${fieldName(field)} is not a field of this request (it takes ${
      excess[1]!.split(" | ").map((name) => name.replace(/^"|"$/g, "")).join(", ")
    })`
  }
  const matches = issues.map((issue) => typeIssue.exec(issue.message))
  if (matches.some((match) => match === null)) {
    const message = issues.find((_, i) => matches[i] === null)!.message
    return message.startsWith(field) ? message : `${field}: ${message}`
  }
  const actual = echoed(matches[0]![2]!)
  if (field === "body") return `the request body must be a JSON object, got ${actual}`
  const choices = [...new Set(matches.map((match) => match![1]!).filter((x) => x !== "undefined").map(wanted))]
  return `${field}: expected ${choices.join(" or ")}, got ${actual}`
}

/** One message per field at fault, in the order found; `field` is the first of them. */
export const invalidRequestOf = (error: HttpApiError.HttpApiDecodeError): InvalidRequest => {
  const byField = new Map<string, Array<Issue>>()
  for (const issue of error.issues) {
    const field = issue.path.length === 0 ? "body" : issue.path.map(String).join(".")
    byField.set(field, [...(byField.get(field) ?? []), issue])
  }
  const [first] = byField.keys()
  return first === undefined
    ? new InvalidRequest({ message: "the request does not match the endpoint's schema (see /openapi.json)" })
    : new InvalidRequest({
      field: first,
      message: Array.from(byField, ([field, issues]) => readable(field, issues)).join("; ")
    })
}

/** A path or query segment refused for what it holds, naming its parameter and quoting it (cut: echoed). */
const segmentRefusal = (segment: { readonly name: string; readonly segment: string }, problem: string): InvalidRequest => {
  const field = echoed(segment.name)
  return new InvalidRequest({ field, message: `${fieldName(segment.name)}: ${JSON.stringify(echoed(segment.segment))} ${problem}` })
}

/** A path or query parameter that is not valid percent-encoding: the caller's encoding is at fault, named with what it sent. */
export const undecodableRefusal = (undecodable: { readonly name: string; readonly segment: string }): InvalidRequest =>
  segmentRefusal(undecodable, "is not valid percent-encoding; encode % as %25 (e.g. with encodeURIComponent)")

/** A path that holds a raw `;` (Routes.ts's rawSemicolon), refused before anything is done with it. */
export const rawSemicolonRefusal = (cut: { readonly name: string; readonly segment: string }): InvalidRequest =>
  segmentRefusal(cut, "holds a raw \";\", where the router would end the path; encode ; as %3B (e.g. with encodeURIComponent)")

const pathOf = (url: string) => {
  const target = originForm(url)
  const query = target.indexOf("?")
  return echoed(query === -1 ? target : target.slice(0, query))
}

/**
 * The token checks are Auth.ts': a path no route matches is answered only to a caller with a token
 * (401 otherwise), so a scan without one learns nothing about which paths exist; a read-only token
 * is told it does not exist too. A route's parameter that does not decode is refused behind the
 * route's own check (403 for a read-only token's write).
 */
export const normalizeFailures = (
  { requireAnyToken, requireToken }: Pick<TokenCheckShape, "requireToken" | "requireAnyToken">
) =>
<E, R>(app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
  Effect.catchAllCause(app, (cause) =>
    Effect.gen(function*() {
      if (Cause.isInterruptedOnly(cause)) return yield* Effect.failCause(cause)
      if (Option.exists(Cause.dieOption(cause), (defect) => defect instanceof ServiceStopping)) return stoppingResponse
      const request = yield* HttpServerRequest.HttpServerRequest
      const failure = Cause.failureOption(cause)
      if (Option.isSome(failure)) {
        const error: unknown = failure.value
        if (error instanceof HttpApiError.HttpApiDecodeError) return yield* invalidRequestOf(error)
        if (error instanceof HttpServerError.RouteNotFound) {
          // The router matches no route when a parameter cannot be decoded: the caller's id is at fault, not the path.
          const undecodable = undecodableParameter(request.method, request.url)
          if (undecodable !== undefined) {
            return yield* requireToken(undecodableRefusal(undecodable))
          }
          return yield* requireAnyToken(
            new NotFound({
              message: `no endpoint ${request.method} ${pathOf(request.url)}; the endpoints are listed in /openapi.json`
            })
          )
        }
        return yield* Effect.failCause(cause)
      }
      yield* Effect.logError("request failed with an internal error", cause)
      return yield* new InternalError({
        message: `internal error while answering ${request.method} ${pathOf(request.url)}; the service log has the details`
      })
    }))
