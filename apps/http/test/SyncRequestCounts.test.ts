import { BuiltInResourceTypes, type ResourceTypeModule } from "@baton-fivetran/connector-core"
import { assert, layer } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option, Stream } from "effect"
import type { SyncJob } from "@baton-fivetran/http-api"
import { awaitJob, awaitStatus, harness, Harness, runSync } from "./Harness.js"

/**
 * A job's summary counts its own sync's Fivetran requests, retries and waits: what the service asks
 * of Fivetran meanwhile for anything else (readiness checks, provisioning) is not the sync's.
 */

/** GET /readyz as a kubelet sends it; the service's first probe checks the key with Fivetran. */
const probeReadiness = Effect.flatMap(Harness, ({ request }) => Effect.asVoid(request("GET", "/readyz")))

/** A grant the sandbox already has: the service reads what decides it (roles, team, user, membership) and writes nothing. */
const grantHeldMembership = Effect.gen(function*() {
  const { client, sandbox } = yield* Harness
  const [member] = (yield* sandbox.snapshot).team_users
  const outcome = yield* Effect.orDie(client.provisioning.grant({
    payload: { entitlement_id: `team:${member!.team_id}:member`, principal: { type: "user", id: member!.user_id } }
  }))
  assert.strictEqual(outcome.status, "already_exists")
})

const fivetranRequests = Effect.flatMap(Harness, ({ sandbox }) => Effect.map(sandbox.requestLog, (log) => log.length))

/** The figures of a finished job that count Fivetran requests. */
const requestFigures = (job: SyncJob) => ({
  status: job.status,
  requests: job.summary?.requests,
  retries: job.summary?.retries,
  rateLimitWaitMillis: job.summary?.rateLimitWaitMillis,
  progressRequests: job.progress?.requests
})

/** Where the sync stops once it has made its last request, until the test lets it end. */
const reached = Effect.runSync(Deferred.make<void>())
const release = Effect.runSync(Deferred.make<void>())

/** Registered last, in the last phase: its rows (none) come after every request of the sync. */
const HoldType: ResourceTypeModule = {
  type: { id: "hold", displayName: "Hold", traits: [], description: "Holds the sync before its end", annotations: [] },
  capabilities: ["CAPABILITY_SYNC"],
  sync: {
    typeIn: () => Option.none(),
    phase: "groups",
    rows: () => Stream.fromEffect(Effect.zipRight(Deferred.succeed(reached, undefined), Deferred.await(release))).pipe(Stream.drain)
  }
}

layer(harness({ provisioning: true, maxAttempts: 3, registry: [...BuiltInResourceTypes, HoldType] }), {
  excludeTestServices: true,
  timeout: 90_000
})("a sync job while the service calls Fivetran for a readiness probe and a provisioning call that meets a 429", (it) => {
  it.effect("counts only its own requests, no retry and no wait, and is never shown waiting for the rate limit", () =>
    Effect.gen(function*() {
      const { client, sandbox } = yield* Harness
      yield* sandbox.clearRequestLog
      const job = yield* Effect.orDie(client.syncs.start())
      yield* Deferred.await(reached)
      // Every request the sync makes is made by now, and nothing else has called Fivetran.
      const ownRequests = yield* fivetranRequests

      yield* probeReadiness
      yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 1 } })
      const grant = yield* Effect.fork(grantHeldMembership)
      const statuses: Array<string> = []
      while (Option.isNone(yield* Fiber.poll(grant))) {
        statuses.push((yield* Effect.orDie(client.syncs.get({ path: { id: job.id } }))).status)
        yield* Effect.sleep("20 millis")
      }
      yield* Fiber.join(grant)
      // The probe's check, then the grant's reads, one of them answered 429 and sent again after 1 s.
      const others = (yield* sandbox.requestLog).slice(ownRequests)
      assert.deepStrictEqual(others[0], { ...others[0]!, path: "/v1/account/info", status: 200 })
      assert.strictEqual(others.filter((entry) => entry.status === 429).length, 1)
      assert.deepStrictEqual([...new Set(statuses)], ["running"])

      yield* Deferred.succeed(release, undefined)
      assert.deepStrictEqual(requestFigures(yield* awaitJob(job.id)), {
        status: "succeeded",
        requests: ownRequests,
        retries: 0,
        rateLimitWaitMillis: 0,
        progressRequests: ownRequests
      })
    }).pipe(Effect.ensuring(Effect.flatMap(Harness, ({ sandbox }) => sandbox.setFaults({})))))
})

layer(harness({ provisioning: true }), { excludeTestServices: true, timeout: 90_000 })(
  "a sync job while provisioning calls and a readiness probe call Fivetran at the same time",
  (it) => {
    it.effect("counts as many requests as the same sync alone", () =>
      Effect.gen(function*() {
        const { client, sandbox } = yield* Harness
        yield* sandbox.setFaults({ latency: { minMillis: 20, maxMillis: 20 } })
        yield* sandbox.clearRequestLog
        const alone = yield* runSync
        assert.strictEqual(alone.summary?.requests, yield* fivetranRequests)

        const job = yield* Effect.orDie(client.syncs.start())
        yield* awaitStatus(job.id, (j) => (j.progress?.requests ?? 0) > 0)
        yield* Effect.all([probeReadiness, grantHeldMembership, grantHeldMembership, grantHeldMembership], { concurrency: "unbounded" })
        const together = yield* awaitJob(job.id)
        assert.deepStrictEqual(requestFigures(together), requestFigures(alone))
      }).pipe(Effect.ensuring(Effect.flatMap(Harness, ({ sandbox }) => sandbox.setFaults({})))))
  }
)
