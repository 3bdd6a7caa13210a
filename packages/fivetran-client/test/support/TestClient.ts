import { assert } from "@effect/vitest"
import { Chunk, type Duration, Effect, Fiber, Option, Redacted, TestClock } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { FivetranClientConfig, makeFivetranClient, withRequestTally } from "../../src/index.js"
import type { SeenRequest } from "./ScriptedServer.js"

export const TestApiKey = "ftk_7Qm2ZrXw9LpA"
export const TestApiSecret = "fts_Vb3Nc8Hd5Ks1Jy6T"

/** A client with test credentials against `baseUrl`; the rest of the config at its defaults unless overridden. */
export const clientFor = (baseUrl: string, overrides: Partial<Omit<FivetranClientConfig, "credentials">> = {}) =>
  makeFivetranClient(
    FivetranClientConfig.make({
      apiKey: Redacted.make(TestApiKey),
      apiSecret: Redacted.make(TestApiSecret),
      baseUrl,
      ...overrides
    })
  )

/** Runs `effect` in a request tally: its outcome (an `Either`, itself an effect) and what the tally counted once it ended. */
export const tallied = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  withRequestTally((tally) =>
    Effect.flatMap(Effect.either(effect), (outcome) => Effect.map(tally.counts, (counts) => ({ outcome, counts })))
  )

/** Real time passing: lets sockets and the server make progress while the TestClock stands still. */
export const liveWait = (millis: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

/** Polls (in real time, every 5 ms) until `check` yields a value; gives up after 4000 polls (a loaded machine). */
export const pollUntil = <A>(what: string, check: Effect.Effect<Option.Option<A>>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 4000; i++) {
      const found = yield* check
      if (Option.isSome(found)) return found.value
      yield* liveWait(5)
    }
    return yield* Effect.dieMessage(`timed out waiting for ${what}`)
  })

/** Waits until the server has seen `count` requests and returns them. */
export const awaitRequests = (requests: Effect.Effect<ReadonlyArray<SeenRequest>>, count: number) =>
  pollUntil(
    `${count} requests`,
    Effect.map(requests, (seen) => (seen.length >= count ? Option.some(seen) : Option.none()))
  )

/**
 * Waits until the client sleeps on the TestClock for a retry, i.e. a pending wake-up no more than
 * `maxDelayMillis` ahead (per-request timeouts sleep much longer), and returns that delay.
 */
export const awaitRetrySleep = (maxDelayMillis: number) =>
  pollUntil(
    "a retry sleep",
    Effect.gen(function*() {
      const now = yield* TestClock.currentTimeMillis
      const sleeps = yield* TestClock.sleeps()
      return Chunk.findFirst(sleeps, (wakeAt) => wakeAt > now && wakeAt - now <= maxDelayMillis).pipe(
        Option.map((wakeAt) => wakeAt - now)
      )
    })
  )

/** Lets the pending retry sleep elapse and returns how long it was. */
export const elapseRetrySleep = (maxDelayMillis: number) =>
  Effect.gen(function*() {
    const delay = yield* awaitRetrySleep(maxDelayMillis)
    yield* TestClock.adjust(delay)
    return delay
  })

/**
 * Lets a pending retry sleep of `millis` elapse but for its last millisecond, checks that the retry
 * has not been sent (the server has seen one request, `call` still runs), then lets that millisecond pass.
 */
export const elapseRetrySleepNotEarly = <A, E>(
  millis: number,
  requests: Effect.Effect<ReadonlyArray<unknown>>,
  call: Fiber.Fiber<A, E>
) =>
  Effect.gen(function*() {
    yield* TestClock.adjust(millis - 1)
    yield* liveWait(50)
    assert.strictEqual((yield* requests).length, 1)
    assert.isTrue(Option.isNone(yield* Fiber.poll(call)))
    yield* TestClock.adjust(1)
  })

/** Waits for the first request to arrive, then moves the TestClock (e.g. past a timeout). */
export const awaitRequestsThenAdvance = (
  requests: Effect.Effect<ReadonlyArray<SeenRequest>>,
  duration: Duration.DurationInput
) => Effect.zipRight(awaitRequests(requests, 1), TestClock.adjust(duration))

/** A loopback port that was just free: a server listened on it (port 0) and closed. */
export const closedPort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const probe = createServer()
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
)
