import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { awaitJob, awaitStatus, harness, Harness } from "./Harness.js"

layer(harness({ maxAttempts: 3 }), { excludeTestServices: true, timeout: 90_000 })("a sync held back by Fivetran's rate limit", (it) => {
  it.effect("is waiting_for_rate_limit with the reason and until when, then running again and succeeds", () =>
    Effect.gen(function*() {
      const { client, sandbox } = yield* Harness
      yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 3 } })
      const started = Date.now()
      const job = yield* Effect.orDie(client.syncs.start())
      const waiting = yield* awaitStatus(job.id, (j) => j.status === "waiting_for_rate_limit")
      assert.deepStrictEqual(
        [waiting.waiting?.kind, waiting.waiting?.endpoint, waiting.waiting?.reason],
        ["rate-limited", "GET /v1/roles", "Fivetran answered 429 with Retry-After 3s"]
      )
      const until = Date.parse(waiting.waiting!.until)
      assert.isTrue(until >= started + 3_000, `until ${waiting.waiting!.until}`)
      assert.deepStrictEqual(waiting.progress?.waiting, waiting.waiting)
      const done = yield* awaitJob(job.id)
      assert.deepStrictEqual(
        [done.status, done.waiting, done.summary?.retries, done.summary?.rateLimitWaitMillis, done.summary?.retryBackoffMillis],
        ["succeeded", null, 1, 3_000, 0]
      )
    }).pipe(Effect.ensuring(Effect.flatMap(Harness, ({ sandbox }) => sandbox.setFaults({})))))
})

layer(harness({ maxAttempts: 3 }), { excludeTestServices: true, timeout: 90_000 })("a sync cancelled during a rate-limit wait", (it) => {
  it.effect("is cancelled, waiting for nothing: neither the job nor its last progress still shows the wait", () =>
    Effect.gen(function*() {
      const { client, sandbox } = yield* Harness
      yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 600 } })
      const job = yield* Effect.orDie(client.syncs.start())
      const waiting = yield* awaitStatus(job.id, (j) => j.status === "waiting_for_rate_limit")
      assert.strictEqual(waiting.progress?.waiting?.kind, "rate-limited")
      const cancelled = yield* Effect.orDie(client.syncs.cancel({ path: { id: job.id } }))
      assert.deepStrictEqual([cancelled.status, cancelled.waiting, cancelled.progress?.waiting], ["cancelled", null, null])
      assert.deepStrictEqual(yield* Effect.orDie(client.syncs.get({ path: { id: job.id } })), cancelled)
    }).pipe(Effect.ensuring(Effect.flatMap(Harness, ({ sandbox }) => sandbox.setFaults({})))))
})

layer(harness({ maxAttempts: 8 }), { excludeTestServices: true, timeout: 90_000 })("a sync whose requests meet 5xx answers", (it) => {
  it.effect("backs off without waiting for the rate limit: never waiting_for_rate_limit, and its backoff is not rateLimitWaitMillis", () =>
    Effect.gen(function*() {
      const { client, sandbox } = yield* Harness
      yield* sandbox.clearRequestLog
      yield* sandbox.setFaults({ serverErrorShare: 0.3, serverErrorStatuses: [503], seed: 11 })
      const job = yield* Effect.orDie(client.syncs.start())
      const statuses = new Set<string>()
      const done = yield* awaitStatus(job.id, (j) => {
        statuses.add(j.status)
        return j.status === "succeeded" || j.status === "failed"
      })
      const serverErrors = (yield* sandbox.requestLog).filter((entry) => entry.status === 503).length
      assert.isAbove(serverErrors, 0)
      assert.isFalse(statuses.has("waiting_for_rate_limit"))
      assert.deepStrictEqual([done.status, done.summary?.retries, done.summary?.rateLimitWaitMillis], ["succeeded", serverErrors, 0])
      assert.isAbove(done.summary?.retryBackoffMillis ?? 0, 0)
    }).pipe(Effect.ensuring(Effect.flatMap(Harness, ({ sandbox }) => sandbox.setFaults({})))))
})
