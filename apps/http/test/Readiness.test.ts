import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { awaitStatus, harness, Harness, runSync, TestToken } from "./Harness.js"

/** GET /readyz as a kubelet sends it (no token), or with `token`. */
const readyz = (token?: string) =>
  Effect.gen(function*() {
    const { request } = yield* Harness
    const response = yield* request("GET", "/readyz", { token })
    return { status: response.status, body: yield* Effect.orDie(response.json) }
  })

/** With a token of the service: the account and Fivetran's own answer. */
const probe = readyz(TestToken)

/** Without one, a probe learns ready or not, and why in general terms only. */
const anonymous = readyz()

const accountInfoRequests = Effect.gen(function*() {
  const { sandbox } = yield* Harness
  return (yield* sandbox.requestLog).filter((entry) => entry.method === "GET" && entry.path === "/v1/account/info").length
})

layer(harness({ maxAttempts: 3 }), { excludeTestServices: true, timeout: 90_000 })("/readyz", (it) => {
  it.effect("needs no token (a kubelet's probe sends none); probes close together share one check of Fivetran", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      const { account } = yield* sandbox.snapshot
      const ready = { status: "ready", account_id: account.account_id, account_name: account.account_name }
      assert.deepStrictEqual(yield* anonymous, { status: 200, body: { status: "ready" } })
      assert.deepStrictEqual(yield* probe, { status: 200, body: ready })
      assert.deepStrictEqual(yield* probe, { status: 200, body: ready })
      assert.strictEqual(yield* accountInfoRequests, 1)
    }))

  it.effect("tells the account only to a valid token: without one, or with a wrong one, it is only ready", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      const { account } = yield* sandbox.snapshot
      assert.deepStrictEqual(yield* readyz("not-a-token-of-this-service"), { status: 200, body: { status: "ready" } })
      assert.deepStrictEqual(yield* anonymous, { status: 200, body: { status: "ready" } })
      assert.deepStrictEqual(yield* probe, {
        status: 200,
        body: { status: "ready", account_id: account.account_id, account_name: account.account_name }
      })
    }))

  it.effect("is ready while a sync waits out Fivetran's rate limit: the service still serves", () =>
    Effect.gen(function*() {
      const { client, sandbox } = yield* Harness
      const { account } = yield* sandbox.snapshot
      yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 600 } })
      const job = yield* Effect.orDie(client.syncs.start())
      yield* awaitStatus(job.id, (j) => j.status === "waiting_for_rate_limit")
      assert.deepStrictEqual(yield* probe, {
        status: 200,
        body: { status: "ready", account_id: account.account_id, account_name: account.account_name }
      })
      assert.strictEqual((yield* Effect.orDie(client.syncs.cancel({ path: { id: job.id } }))).status, "cancelled")
    }).pipe(Effect.ensuring(Effect.flatMap(Harness, ({ sandbox }) => sandbox.setFaults({})))))
})

layer(harness({ maxAttempts: 3 }), { excludeTestServices: true, timeout: 90_000 })("/readyz held back before any check", (it) => {
  it.effect("answers at once that it waits for the rate limit, instead of timing out behind the wait", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 600 } })
      const { body, status } = yield* probe
      assert.strictEqual(status, 503)
      const waiting = {
        error: "NotReady",
        message: "waiting for Fivetran's rate limit, and no answer from Fivetran has shown the configured key to work " +
          "yet; ask again later"
      }
      assert.deepStrictEqual(body, waiting)
      assert.deepStrictEqual(yield* anonymous, { status: 503, body: waiting })
      assert.strictEqual(yield* accountInfoRequests, 1)
    }).pipe(Effect.ensuring(Effect.flatMap(Harness, ({ sandbox }) => sandbox.setFaults({})))))
})

layer(harness({ maxAttempts: 2 }), { excludeTestServices: true, timeout: 90_000 })("/readyz while Fivetran fails", (it) => {
  it.effect("is ready, saying so, once an answer showed the key to work: every replica would fail alike", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      yield* runSync
      yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [502] })
      assert.deepStrictEqual(yield* anonymous, { status: 200, body: { status: "ready" } })
      assert.deepStrictEqual(yield* probe, {
        status: 200,
        body: {
          status: "ready",
          account_id: null,
          account_name: null,
          message:
            "Fivetran is failing (GET /v1/account/info: Fivetran answered 502; gave up after 2 attempts); the key worked before, and the " +
            "service serves its kept syncs"
        }
      })
    }).pipe(Effect.ensuring(Effect.flatMap(Harness, ({ sandbox }) => sandbox.setFaults({})))))
})

layer(harness({ maxAttempts: 2, maxRateLimitWaitSeconds: 10 }), { excludeTestServices: true, timeout: 90_000 })(
  "/readyz when the rate limit asks for a wait past max-rate-limit-wait",
  (it) => {
    it.effect("is ready, saying that the rate limit holds requests back, not that Fivetran fails", () =>
      Effect.gen(function*() {
        const { sandbox } = yield* Harness
        yield* runSync
        yield* sandbox.setFaults({ rateLimitBurst: { requests: 5, retryAfterSeconds: 600 } })
        const { body, status } = yield* probe
        const { message } = body as { message: string }
        assert.deepStrictEqual([status, (body as { status: string }).status], [200, "ready"])
        assert.strictEqual(
          message,
          "Fivetran's rate limit holds requests back (GET /v1/account/info: Fivetran answered 429 with Retry-After 600s; " +
            "that needs a wait of 10m, longer than max-rate-limit-wait (10.0s): raise it or retry later); the key worked " +
            "before, and the service serves its kept syncs"
        )
      }).pipe(Effect.ensuring(Effect.flatMap(Harness, ({ sandbox }) => sandbox.setFaults({})))))
  }
)

layer(harness({ maxAttempts: 2 }), { excludeTestServices: true, timeout: 90_000 })(
  "/readyz while Fivetran fails, before any sync is kept",
  (it) => {
    it.effect("is ready once a 2xx showed the key to work, and does not claim kept syncs it lacks", () =>
      Effect.gen(function*() {
        const { sandbox } = yield* Harness
        // Answered 200 with a broken body: the key works, the check fails, no sync has run.
        yield* sandbox.setFaults({ malformedShare: 1 })
        const { body, status } = yield* probe
        assert.deepStrictEqual([status, body], [200, {
          status: "ready",
          account_id: null,
          account_name: null,
          message: "Fivetran is failing (GET /v1/account/info: Fivetran answered 200, but its body is not JSON (182 bytes, " +
            `starting '{"code":"Success","message":"Account inf…'): a proxy or gateway between may be rewriting answers; ` +
            "check the base URL and any proxy (HTTPS_PROXY, HTTP_PROXY) on the way; gave up after 2 attempts); the key " +
            "worked before, and the service answers, though no sync is kept yet to query"
        }])
      }).pipe(Effect.ensuring(Effect.flatMap(Harness, ({ sandbox }) => sandbox.setFaults({})))))
  }
)

layer(harness({ maxAttempts: 2 }), { excludeTestServices: true, timeout: 90_000 })("/readyz while Fivetran fails from the start", (it) => {
  it.effect("is 503 before any answer showed the key to work: a rollout with a wrong key must not become ready", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [502] })
      assert.deepStrictEqual(yield* anonymous, {
        status: 503,
        body: {
          error: "NotReady",
          message: "Fivetran is failing or not answering, and no answer from it has shown the configured key to work " +
            "yet; GET /readyz with a token of the service says how"
        }
      })
      assert.deepStrictEqual(yield* probe, {
        status: 503,
        body: { error: "NotReady", message: "GET /v1/account/info: Fivetran answered 502; gave up after 2 attempts" }
      })
    }).pipe(Effect.ensuring(Effect.flatMap(Harness, ({ sandbox }) => sandbox.setFaults({})))))
})

layer(harness({ badSecret: true }), { excludeTestServices: true, timeout: 90_000 })("/readyz with a key Fivetran refuses", (it) => {
  it.effect("is 503 saying so; Fivetran's answer only with a token", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* anonymous, {
        status: 503,
        body: {
          error: "NotReady",
          message: "Fivetran refuses the configured key; GET /readyz with a token of the service says why"
        }
      })
      assert.deepStrictEqual(yield* probe, {
        status: 503,
        body: {
          error: "NotReady",
          message: "GET /v1/account/info: Fivetran rejected the API key or secret (401 Unauthorized); check the api-key " +
            "and api-secret settings"
        }
      })
    }))
})
