import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Fiber, Option, TestClock } from "effect"
import { withRateLimitWaitCap } from "../src/index.js"
import { type Answer, scriptedServer } from "./support/LoopbackServer.js"
import { clientFor, liveWait, pollUntil, tallied } from "./support/TestClient.js"

/**
 * A caller's cap (the HTTP service's --max-provisioning-wait) stops retries once it has passed. A
 * retry decided just before it was still sent after its backoff, and then had the whole request
 * timeout (30 s): the caller waited the cap, the backoff and a full timeout on top.
 */

/** An answer sent `afterMillis` after the request arrived whole. */
const answerAfter = (afterMillis: number, status: number, body: unknown): Answer => (response) => {
  setTimeout(() => {
    if (response.destroyed) return
    response.writeHead(status, { "content-type": "application/json" })
    response.end(JSON.stringify(body))
  }, afterMillis)
}
const failing = { code: "InternalServerError", message: "try again" }
const deleted = { code: "Success", message: "User has been deleted" }

const cap = withRateLimitWaitCap({ millis: 2_000, setting: "max-provisioning-wait" })

describe("a retry under a caller's cap", () => {
  it.scopedLive("sent before the cap passes, it is given only what is left of the cap, not a whole request timeout", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([answerAfter(200, 500, failing), answerAfter(8_000, 200, deleted)])
      const client = yield* clientFor(server.baseUrl, { backoffBaseMillis: 0 })
      const outcome = yield* Effect.either(client.deleteUser("dee").pipe(cap))
      assert.deepStrictEqual(Either.isLeft(outcome) ? [outcome.left._tag, outcome.left.message] : ["made"], [
        "Transport",
        "DELETE /v1/users/dee: could not reach Fivetran: no complete response before max-provisioning-wait (2.0s) ran out; " +
        "gave up after 2 attempts"
      ])
      assert.strictEqual(yield* server.requests, 2)
    }))

  it.scopedLive("whose backoff would end past the cap, it is not sent: the call ends with the failure it would repeat", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([answerAfter(1_200, 500, failing), answerAfter(0, 200, deleted)])
      const client = yield* clientFor(server.baseUrl, { backoffBaseMillis: 1_500 })
      const outcome = yield* Effect.either(client.deleteUser("dee").pipe(cap))
      assert.deepStrictEqual(Either.isLeft(outcome) ? [outcome.left._tag, outcome.left.message] : ["made"], [
        "ServerError",
        "DELETE /v1/users/dee: Fivetran answered 500"
      ])
      assert.strictEqual(yield* server.requests, 1)
    }))

  it.scoped("whose backoff would end past the cap, it fails at once, without sleeping that backoff first", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([answerAfter(0, 500, failing), answerAfter(0, 200, deleted)])
      // 5 s ± 20% of backoff against a 2 s cap; the TestClock stands still, so a backoff slept is never over.
      const client = yield* clientFor(server.baseUrl, { backoffBaseMillis: 5_000 })
      const call = yield* Effect.fork(tallied(client.deleteUser("dee").pipe(cap)))
      const { counts, outcome } = yield* Effect.flatten(pollUntil("the call to end", Fiber.poll(call)))
      const error = yield* Effect.flip(outcome)
      assert.deepStrictEqual([error._tag, error.message], ["ServerError", "DELETE /v1/users/dee: Fivetran answered 500"])
      assert.deepStrictEqual(counts, { requests: 1, retries: 0, rateLimitWaitMillis: 0, retryBackoffMillis: 0 })
      assert.strictEqual(yield* server.requests, 1)
    }))
})

/** Never answers: the request stays in flight until the client gives it up. */
const silent: Answer = () => undefined

describe("the first attempt under a caller's cap", () => {
  it.scoped("ends when the cap runs out, not at the request timeout, and is not repeated", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([silent])
      // A request timeout of 10 minutes against a 2 s cap; the TestClock moves only when told to.
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600, backoffBaseMillis: 0 })
      const call = yield* Effect.fork(tallied(client.deleteUser("dee").pipe(cap)))
      yield* pollUntil("the request to arrive", Effect.map(server.requests, (n) => n === 1 ? Option.some(n) : Option.none()))
      yield* TestClock.adjust("1999 millis")
      yield* liveWait(50)
      assert.isTrue(Option.isNone(yield* Fiber.poll(call)), "the call ended before the cap ran out")
      yield* TestClock.adjust("1 millis")
      const { counts, outcome } = yield* Effect.flatten(pollUntil("the call to end", Fiber.poll(call)))
      const error = yield* Effect.flip(outcome)
      assert.deepStrictEqual([error._tag, error.message], [
        "Transport",
        "DELETE /v1/users/dee: could not reach Fivetran: no complete response before max-provisioning-wait (2.0s) ran out"
      ])
      assert.deepStrictEqual(counts, { requests: 1, retries: 0, rateLimitWaitMillis: 0, retryBackoffMillis: 0 })
      assert.strictEqual(yield* server.requests, 1)
    }))

  it.scoped("outside a cap, still has the whole request timeout", () =>
    Effect.gen(function*() {
      const server = yield* scriptedServer([silent])
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600, maxAttempts: 1 })
      const call = yield* Effect.fork(client.deleteUser("dee"))
      yield* pollUntil("the request to arrive", Effect.map(server.requests, (n) => n === 1 ? Option.some(n) : Option.none()))
      yield* TestClock.adjust("599 seconds")
      yield* liveWait(50)
      assert.isTrue(Option.isNone(yield* Fiber.poll(call)), "the call ended before its request timeout")
      yield* TestClock.adjust("1 seconds")
      const error = yield* Effect.flip(Effect.flatten(pollUntil("the call to end", Fiber.poll(call))))
      assert.deepStrictEqual([error._tag, error.message], [
        "Transport",
        "DELETE /v1/users/dee: could not reach Fivetran: no complete response within request-timeout (10m)"
      ])
    }))
})
