import { assert, describe, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Fiber, Option, TestClock } from "effect"
import { type RequestTally, withRequestTally } from "../src/index.js"
import * as Examples from "./fixtures/ApiExamples.js"
import { json, startServer } from "./support/ScriptedServer.js"
import { awaitRetrySleep, clientFor, pollUntil } from "./support/TestClient.js"

/** Each `/v1/users/<name>` is answered 429 with the Retry-After (seconds) given for it, the first time only. */
const serverWithRetryAfters = (retryAfters: Readonly<Record<string, number>>) =>
  Effect.gen(function*() {
    const limited = new Set<string>()
    return yield* startServer((request) => {
      const name = request.path.split("/")[3]
      if (request.path === "/v1/account/info" || name === undefined) return json(200, Examples.AccountInfo_7)
      const retryAfter = retryAfters[name]
      if (retryAfter === undefined || limited.has(name)) return json(200, Examples.User_2_2)
      limited.add(name)
      return json(429, { code: "TooManyRequests" }, { "Retry-After": String(retryAfter) })
    })
  })

/** Forks `work` in a tally of its own; the tally, to follow it, and the fiber, ending with what it counted. */
const forkTallied = <A, E>(work: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const tallyOf = yield* Deferred.make<RequestTally>()
    const fiber = yield* Effect.fork(
      withRequestTally((tally) => Deferred.succeed(tallyOf, tally).pipe(Effect.zipRight(work), Effect.zipRight(tally.counts)))
    )
    return { fiber, tally: yield* Deferred.await(tallyOf) }
  })

const waitingOn = (tally: RequestTally) => Effect.map(tally.waits.current, Option.map((wait) => wait.endpoint))

describe("a request tally", () => {
  it.scoped("counts the requests, retries and waits of the work inside it, on every fiber it forks, and no other request of the process", () =>
    Effect.gen(function*() {
      const server = yield* serverWithRetryAfters({ outside: 20, inside: 5 })
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600 })

      // Another request of the process (a readiness check, a provisioning call) waits 20 s meanwhile.
      const outside = yield* Effect.fork(Effect.zipRight(client.accountInfo, client.getUser("outside")))
      assert.strictEqual(yield* awaitRetrySleep(30_000), 20_000)

      const { fiber, tally } = yield* forkTallied(
        Effect.all([client.accountInfo, client.getUser("inside"), client.accountInfo], { concurrency: "unbounded" })
      )
      assert.strictEqual(yield* awaitRetrySleep(6_000), 5_000)
      assert.deepStrictEqual(yield* waitingOn(tally), Option.some("GET /v1/users/inside"))
      yield* TestClock.adjust(5_000)
      assert.deepStrictEqual(yield* Fiber.join(fiber), { requests: 4, retries: 1, rateLimitWaitMillis: 5_000, retryBackoffMillis: 0 })
      assert.deepStrictEqual(yield* waitingOn(tally), Option.none())
      // The client's own waits are the process's: the outside request still waits there.
      assert.deepStrictEqual(Option.map(yield* client.waits.current, (wait) => wait.endpoint), Option.some("GET /v1/users/outside"))

      yield* TestClock.adjust(15_000)
      yield* Fiber.join(outside)
      assert.deepStrictEqual(yield* tally.counts, { requests: 4, retries: 1, rateLimitWaitMillis: 5_000, retryBackoffMillis: 0 })
      assert.strictEqual((yield* server.requests).length, 7)
    }))

  it.scoped("counts concurrent waits once, and a wait cut short up to when it ended, not its planned length", () =>
    Effect.gen(function*() {
      const server = yield* serverWithRetryAfters({ first: 10, second: 10, abandoned: 20 })
      const client = yield* clientFor(server.baseUrl, { requestTimeoutSeconds: 600 })
      const { fiber, tally } = yield* forkTallied(
        Effect.all([client.getUser("first"), client.getUser("second")], { concurrency: 2 }).pipe(
          Effect.zipRight(client.getUser("abandoned").pipe(Effect.timeout("5 seconds"), Effect.option))
        )
      )
      // Both 10 s waits, together.
      yield* pollUntil(
        "both waits",
        Effect.map(Effect.zip(TestClock.currentTimeMillis, TestClock.sleeps()), ([now, sleeps]) =>
          Option.liftPredicate(sleeps, (all) => Chunk.size(Chunk.filter(all, (wakeAt) => wakeAt === now + 10_000)) === 2))
      )
      yield* TestClock.adjust(10_000)
      // The 20 s wait, abandoned 5 s in by its caller.
      yield* pollUntil(
        "the third wait",
        waitingOn(tally).pipe(Effect.map(Option.filter((endpoint) =>
          endpoint.endsWith("abandoned")
        )))
      )
      yield* TestClock.adjust(5_000)
      // Its retry was never sent: two retries, not three.
      assert.deepStrictEqual(yield* Fiber.join(fiber), { requests: 5, retries: 2, rateLimitWaitMillis: 15_000, retryBackoffMillis: 0 })
    }))

  it.scoped("leaves a fiber that joins a fiber forked inside it outside the tally; a tally inside another counts in both", () =>
    Effect.gen(function*() {
      const server = yield* serverWithRetryAfters({})
      const client = yield* clientFor(server.baseUrl)
      const { fiber, inner, outer } = yield* withRequestTally((outer) =>
        withRequestTally((inner) => Effect.map(Effect.fork(client.accountInfo), (fiber) => ({ fiber, inner, outer })))
      )
      yield* Fiber.join(fiber)
      yield* client.accountInfo
      const counted = Effect.map(Effect.all([inner.counts, outer.counts]), (counts) => counts.map((c) => c.requests))
      assert.deepStrictEqual(yield* counted, [1, 1])
    }))
})
