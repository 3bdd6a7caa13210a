import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { awaitStatus, harness, Harness } from "./Harness.js"

/** GET /readyz as a kubelet sends it: no token. */
const probe = Effect.gen(function*() {
  const { request } = yield* Harness
  const response = yield* request("GET", "/readyz")
  return { status: response.status, body: yield* Effect.orDie(response.json) }
})

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
      assert.deepStrictEqual(yield* probe, { status: 200, body: ready })
      assert.deepStrictEqual(yield* probe, { status: 200, body: ready })
      assert.deepStrictEqual(yield* probe, { status: 200, body: ready })
      assert.strictEqual(yield* accountInfoRequests, 1)
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
      assert.deepStrictEqual(body, {
        error: "NotReady",
        message: "waiting for Fivetran's rate limit, and no answer from Fivetran has shown the configured key to work " +
          "yet; ask again later"
      })
      assert.strictEqual(yield* accountInfoRequests, 1)
    }).pipe(Effect.ensuring(Effect.flatMap(Harness, ({ sandbox }) => sandbox.setFaults({})))))
})
