import { HttpServerRequest } from "@effect/platform"
import { createHash, timingSafeEqual } from "node:crypto"
import { Effect, Layer, Redacted } from "effect"
import { Authentication, Unauthorized } from "./Api.js"

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

const bearerScheme = /^Bearer\s+\S/i

export const AuthenticationLive = (tokens: ReadonlyArray<Redacted.Redacted<string>>) =>
  Layer.succeed(
    Authentication,
    Authentication.of({
      bearer: (token) =>
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          const header = request.headers.authorization
          if (header === undefined || header === "") {
            return yield* new Unauthorized({ message: "missing Authorization header; send `Authorization: Bearer <token>`" })
          }
          if (!bearerScheme.test(header) || !tokenMatches(Redacted.value(token).trim(), tokens)) {
            return yield* new Unauthorized({ message: "the bearer token is not valid for this service" })
          }
        })
    })
  )
