import { FivetranClient, type FivetranError } from "@baton-fivetran/fivetran-client"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Option, TestClock } from "effect"
import type { FaultOptions } from "../src/http/Faults.js"
import { Sandbox } from "../src/Sandbox.js"
import { provideSandbox, raw } from "./harness.js"

const accountInfo = {
  account_id: "lunar_meadow",
  account_name: "Acme Data",
  user_id: "quiet_harbor",
  system_key_id: null
}

/** Sets the faults, makes one client call and returns its error with the logged entry. */
const failOnce = (faults: FaultOptions) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox
    const client = yield* FivetranClient
    yield* sandbox.setFaults(faults)
    const error: FivetranError = yield* Effect.flip(client.accountInfo)
    yield* sandbox.setFaults({})
    const log = yield* sandbox.requestLog
    return { error, entry: log[log.length - 1]! }
  })

describe("fault injection, as the real client sees it", () => {
  it.effect("a share of 5xx answers surfaces as ServerError", () =>
    Effect.gen(function*() {
      const { entry, error } = yield* failOnce({ serverErrorShare: 1, serverErrorStatuses: [503] })
      assert.deepStrictEqual([error._tag, error._tag === "ServerError" ? error.status : 0], ["ServerError", 503])
      assert.deepStrictEqual([entry.status, entry.fault], [503, "server-error"])
    }).pipe(provideSandbox()))

  it.effect("a 429 burst refuses the next N requests with Retry-After, then lets them through", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const client = yield* FivetranClient
      yield* sandbox.setFaults({ rateLimitBurst: { requests: 2, retryAfterSeconds: 7 } })
      for (let i = 0; i < 2; i++) {
        const error = yield* Effect.flip(client.accountInfo)
        assert.deepStrictEqual([error._tag, error._tag === "RateLimited" ? error.retryAfterSeconds : 0], [
          "RateLimited",
          7
        ])
      }
      assert.deepStrictEqual(yield* client.accountInfo, accountInfo)
      const log = yield* sandbox.requestLog
      assert.deepStrictEqual(log.map((e) => [e.status, e.fault]), [[429, "rate-limit-burst"], [429, "rate-limit-burst"], [
        200,
        null
      ]])
    }).pipe(provideSandbox()))

  it.effect("a dropped connection is a Transport error and is logged with status 0", () =>
    Effect.gen(function*() {
      const { entry, error } = yield* failOnce({ dropShare: 1 })
      assert.strictEqual(error._tag, "Transport")
      assert.deepStrictEqual([entry.status, entry.fault], [0, "dropped"])
    }).pipe(provideSandbox()))

  it.effect("malformed and truncated bodies are InvalidResponse", () =>
    Effect.gen(function*() {
      const malformed = yield* failOnce({ malformedShare: 1 })
      assert.deepStrictEqual([malformed.error._tag, malformed.entry.fault], ["InvalidResponse", "malformed"])
      const truncated = yield* failOnce({ truncatedShare: 1 })
      assert.deepStrictEqual([truncated.error._tag, truncated.entry.fault], ["InvalidResponse", "truncated"])
      const sandbox = yield* Sandbox
      yield* sandbox.setFaults({ truncatedShare: 1 })
      const cut = yield* raw("GET", "/v1/account/info")
      yield* sandbox.setFaults({})
      const whole = yield* raw("GET", "/v1/account/info")
      assert.strictEqual(cut.text, whole.text.slice(0, Math.floor(whole.text.length / 2)))
    }).pipe(provideSandbox()))

  it.effect("with methods given, the faults strike only those requests (a 429 burst too); the others pass", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const client = yield* FivetranClient
      yield* sandbox.setFaults({ truncatedShare: 1, rateLimitBurst: { requests: 1, retryAfterSeconds: 7 }, methods: ["POST"] })
      assert.deepStrictEqual(yield* client.accountInfo, accountInfo)
      const burst = yield* Effect.flip(client.createGroup({ name: "cut_short" }))
      const cut = yield* Effect.flip(client.createGroup({ name: "cut_short" }))
      assert.deepStrictEqual(yield* client.accountInfo, accountInfo)
      const log = yield* sandbox.requestLog
      assert.deepStrictEqual([burst._tag, cut._tag], ["RateLimited", "InvalidResponse"])
      assert.deepStrictEqual(log.map((e) => [e.method, e.status, e.fault]), [
        ["GET", 200, null],
        ["POST", 429, "rate-limit-burst"],
        ["POST", 201, "truncated"],
        ["GET", 200, null]
      ])
    }).pipe(provideSandbox()))

  it.effect("a lost answer: the request is handled, then its connection dropped (Transport); the next ones answered", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const client = yield* FivetranClient
      yield* sandbox.setFaults({ lostAnswers: { requests: 1 }, methods: ["POST"] })
      assert.deepStrictEqual(yield* client.accountInfo, accountInfo)
      const lost = yield* Effect.flip(client.createGroup({ name: "made_unanswered" }))
      const answered = yield* client.createGroup({ name: "made_answered" })
      const names = (yield* sandbox.snapshot).groups.map((group) => group.name)
      const log = yield* sandbox.requestLog
      assert.deepStrictEqual([lost._tag, lost._tag === "Transport" ? lost.connectFailed : true, answered.name], [
        "Transport",
        false,
        "made_answered"
      ])
      assert.deepStrictEqual([names.includes("made_unanswered"), names.includes("made_answered")], [true, true])
      assert.deepStrictEqual(log.map((e) => [e.method, e.status, e.fault, e.rateLimitRemaining === null]), [
        ["GET", 200, null, false],
        ["POST", 0, "answer-lost", true],
        ["POST", 201, null, false]
      ])
    }).pipe(provideSandbox()))

  it.effect("acted then failed: the request is handled, then answered with the 5xx (ServerError); counted in the budget", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const client = yield* FivetranClient
      yield* sandbox.setFaults({ failAfterActing: { requests: 1 }, methods: ["POST"] })
      assert.deepStrictEqual(yield* client.accountInfo, accountInfo)
      const failed = yield* Effect.flip(client.createGroup({ name: "made_then_failed" }))
      const again = yield* raw("POST", "/v1/groups", { body: JSON.stringify({ name: "made_answered" }) })
      const names = (yield* sandbox.snapshot).groups.map((group) => group.name)
      assert.deepStrictEqual([failed._tag, failed._tag === "ServerError" ? failed.status : 0, again.status], ["ServerError", 503, 201])
      assert.deepStrictEqual([names.includes("made_then_failed"), names.includes("made_answered")], [true, true])
      assert.deepStrictEqual((yield* sandbox.requestLog).map((e) => [e.method, e.status, e.fault, e.rateLimitRemaining]), [
        ["GET", 200, null, 19999],
        ["POST", 503, "acted-then-failed", 19998],
        ["POST", 201, null, 19997]
      ])
    }).pipe(provideSandbox()))

  it.effect("acted then failed with another status: 500's body", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      yield* sandbox.setFaults({ failAfterActing: { requests: 1, status: 500 } })
      const failed = yield* raw("POST", "/v1/groups", { body: JSON.stringify({ name: "made_then_failed" }) })
      assert.deepStrictEqual([failed.status, failed.json], [500, {
        code: "InternalServerError",
        message: "Injected server failure after the request was handled"
      }])
      assert.isTrue((yield* sandbox.snapshot).groups.some((group) => group.name === "made_then_failed"))
    }).pipe(provideSandbox()))

  it.live("a slow body arrives whole, in chunks", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const client = yield* FivetranClient
      yield* sandbox.setFaults({ slowBody: { share: 1, chunkBytes: 16, chunkDelayMillis: 2 } })
      assert.deepStrictEqual(yield* client.accountInfo, accountInfo)
      const log = yield* sandbox.requestLog
      assert.deepStrictEqual(log.map((e) => [e.status, e.fault]), [[200, "slow-body"]])
    }).pipe(provideSandbox()))

  it.effect("added latency holds the answer back by exactly that long (TestClock)", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const client = yield* FivetranClient
      yield* sandbox.setFaults({ latency: { minMillis: 40, maxMillis: 40 } })
      const call = yield* Effect.fork(client.accountInfo)
      // The request reaches the sandbox over real sockets: wait until its 40 ms sleep is registered.
      const latencySleep = Effect.gen(function*() {
        const now = yield* TestClock.currentTimeMillis
        return Chunk.some(yield* TestClock.sleeps(), (deadline) => deadline === now + 40)
      })
      while (!(yield* latencySleep)) yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
      yield* TestClock.adjust("39 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(call)))
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(call)
      const [entry] = yield* sandbox.requestLog
      assert.strictEqual(entry!.durationMillis, 40)
    }).pipe(provideSandbox()))

  it.effect("shares are drawn from the seed: the same seed gives the same faults", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const pattern = Effect.gen(function*() {
        yield* sandbox.clearRequestLog
        yield* sandbox.setFaults({ seed: 42, serverErrorShare: 0.5 })
        for (let i = 0; i < 12; i++) yield* raw("GET", "/v1/roles?limit=1")
        return (yield* sandbox.requestLog).map((e) => e.status)
      })
      const first = yield* pattern
      const second = yield* pattern
      assert.deepStrictEqual(first, second)
      assert.isTrue(first.includes(200) && first.some((s) => s >= 500))
    }).pipe(provideSandbox()))

  it.effect("faults start from the layer options and are off by default", () =>
    Effect.gen(function*() {
      const response = yield* raw("GET", "/v1/users")
      assert.strictEqual(response.status, 502)
    }).pipe(provideSandbox({ faults: { serverErrorShare: 1, serverErrorStatuses: [502] } })))
})

describe("request log", () => {
  it.effect("records method, path, query, status, duration, fault and remaining budget of each request; clear empties it", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const client = yield* FivetranClient
      yield* client.getGroup("amber_falcon")
      yield* Effect.flip(client.getTeam("nope"))
      yield* raw("GET", "/v1/users?limit=2")
      yield* client.createGroup({ name: "New_Group" })
      assert.deepStrictEqual(yield* sandbox.requestLog, [
        {
          method: "GET",
          path: "/v1/groups/amber_falcon",
          query: "",
          status: 200,
          durationMillis: 0,
          fault: null,
          rateLimitRemaining: 19999
        },
        { method: "GET", path: "/v1/teams/nope", query: "", status: 404, durationMillis: 0, fault: null, rateLimitRemaining: 19998 },
        { method: "GET", path: "/v1/users", query: "limit=2", status: 200, durationMillis: 0, fault: null, rateLimitRemaining: 19997 },
        { method: "POST", path: "/v1/groups", query: "", status: 201, durationMillis: 0, fault: null, rateLimitRemaining: 19996 }
      ])
      yield* sandbox.clearRequestLog
      assert.deepStrictEqual(yield* sandbox.requestLog, [])
    }).pipe(provideSandbox()))
})
