import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  awaitSyncJob,
  refusedKeyServiceArgs,
  type RunningService,
  sandboxServiceOver,
  serviceProcessOver,
  startSyncJob
} from "./ServiceProcess.js"

/**
 * `baton_sync_jobs_total{outcome, reason}` of the bundled service against a sandbox: each job counted
 * once as it ends, by why it failed or was cancelled, every series there at 0 from the start.
 */

const Token = "sync-job-outcomes-test-token"
const headers = { authorization: `Bearer ${Token}` }

const Ends = [
  "succeeded/none",
  ...[
    "unauthorized",
    "missing_permission",
    "rate_limited",
    "server_error",
    "transport",
    "invalid_response",
    "unexpected_answer",
    "storage",
    "interrupted",
    "internal"
  ].map((reason) => `failed/${reason}`),
  "cancelled/requested",
  "cancelled/shutdown"
]

/** The family as /metrics writes it: HELP, TYPE, then every outcome and reason, sorted, at its count (0 unless given). */
const family = (counts: Record<string, number>) => [
  "# HELP baton_sync_jobs_total Sync jobs ended, by outcome (succeeded, failed, cancelled) and reason (why it failed or was cancelled; none)",
  "# TYPE baton_sync_jobs_total counter",
  ...Ends.map((end) => {
    const [outcome, reason] = end.split("/")
    return `baton_sync_jobs_total{outcome="${outcome}",reason="${reason}"} ${counts[end] ?? 0}`
  }).sort()
]

const scrape = (service: RunningService) =>
  Effect.promise(() => fetch(`${service.url}/metrics`, { headers }).then((r) => r.text())).pipe(
    Effect.map((text) => text.split("\n").filter((line) => line.includes("baton_sync_jobs_total")))
  )

const syncEnding = (service: RunningService, status: string) =>
  Effect.flatMap(startSyncJob(service, Token), (job) => awaitSyncJob(service, Token, job.id, status))

describe("baton_sync_jobs_total", () => {
  it.scopedLive(
    "a key Fivetran refuses: one failed job, reason unauthorized",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const launch = yield* refusedKeyServiceArgs(Token)
        const service = yield* serviceProcessOver(yield* fs.makeTempDirectoryScoped(), launch.args, { env: launch.env })
        assert.deepStrictEqual(yield* scrape(service), family({}))
        yield* syncEnding(service, "failed")
        assert.deepStrictEqual(yield* scrape(service), family({ "failed/unauthorized": 1 }))
      }).pipe(
        Effect.provide(Sandbox.layer({ snapshot: generatePreset("small"), port: 0 })),
        Effect.provide(NodeContext.layer)
      ),
    120_000
  )

  it.scopedLive(
    "Fivetran's 5xx, a rate limit past --max-rate-limit-wait, a success and a cancel; a killed sync counted once, by the next start",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const sandbox = yield* Sandbox
        const dataDir = yield* fs.makeTempDirectoryScoped()
        const first = yield* sandboxServiceOver(dataDir, Token)

        // Every request a 5xx: the client tries each five times, then the sync fails.
        yield* sandbox.setFaults({ serverErrorShare: 1 })
        yield* syncEnding(first, "failed")
        // A 429 asking for two hours, past the default --max-rate-limit-wait (1h): failed at once.
        yield* sandbox.setFaults({ rateLimitBurst: { requests: 1000, retryAfterSeconds: 7200 } })
        yield* syncEnding(first, "failed")
        yield* sandbox.setFaults({})
        yield* syncEnding(first, "succeeded")
        // Held by a 10-minute 429 wait, then cancelled through the API.
        yield* sandbox.setFaults({ rateLimitBurst: { requests: 1000, retryAfterSeconds: 600 } })
        const cancelled = yield* startSyncJob(first, Token)
        yield* awaitSyncJob(first, Token, cancelled.id, "waiting_for_rate_limit")
        yield* Effect.promise(() => fetch(`${first.url}/v1/syncs/${cancelled.id}/cancel`, { method: "POST", headers }))
        yield* awaitSyncJob(first, Token, cancelled.id, "cancelled")
        assert.deepStrictEqual(
          yield* scrape(first),
          family({ "failed/server_error": 1, "failed/rate_limited": 1, "succeeded/none": 1, "cancelled/requested": 1 })
        )

        // Killed during a wait: no process counted that job, so the next start does, once.
        yield* sandbox.setFaults({ rateLimitBurst: { requests: 1000, retryAfterSeconds: 600 } })
        const killed = yield* startSyncJob(first, Token)
        yield* awaitSyncJob(first, Token, killed.id, "waiting_for_rate_limit")
        const exited = new Promise((resolve) => first.child.once("exit", resolve))
        first.child.kill("SIGKILL")
        yield* Effect.promise(() => exited)
        yield* sandbox.setFaults({})

        const second = yield* sandboxServiceOver(dataDir, Token)
        yield* awaitSyncJob(second, Token, killed.id, "failed")
        assert.deepStrictEqual(yield* scrape(second), family({ "failed/interrupted": 1 }))
        assert.strictEqual(yield* second.stop, 0)

        const third = yield* sandboxServiceOver(dataDir, Token)
        assert.deepStrictEqual(yield* scrape(third), family({}))
      }).pipe(
        Effect.provide(Sandbox.layer({ snapshot: generatePreset("small"), port: 0 })),
        Effect.provide(NodeContext.layer)
      ),
    180_000
  )
})
