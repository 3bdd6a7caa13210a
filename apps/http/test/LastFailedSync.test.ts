import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { refusedKeyServiceArgs, type RunningService, sandboxServiceOver, serviceProcessOver } from "./ServiceProcess.js"

/**
 * `baton_last_failed_sync_timestamp_seconds` of the bundled service: docs/deploy.md's "last sync
 * failed" alert, `baton_last_failed_sync_timestamp_seconds > baton_last_successful_sync_timestamp_seconds`,
 * fires after a failed job, across a restart, and clears with the next success.
 */

const Token = "last-failed-sync-test-token"
const headers = { authorization: `Bearer ${Token}` }

interface Job {
  readonly id: string
  readonly status: string
  readonly finished_at: string | null
}

const Gauges = ["baton_last_failed_sync_timestamp_seconds", "baton_last_successful_sync_timestamp_seconds"] as const

/** The two gauges' HELP, TYPE and sample lines as /metrics writes them. */
const scrape = (service: RunningService) =>
  Effect.promise(() => fetch(`${service.url}/metrics`, { headers }).then((r) => r.text())).pipe(
    Effect.map((text) => text.split("\n").filter((line) => Gauges.some((name) => line.includes(name))))
  )

const gaugeLines = (failed: number, succeeded: number) => [
  "# HELP baton_last_failed_sync_timestamp_seconds When the last failed sync ended, in Unix seconds (0: none known)",
  "# TYPE baton_last_failed_sync_timestamp_seconds gauge",
  `baton_last_failed_sync_timestamp_seconds ${failed}`,
  "# HELP baton_last_successful_sync_timestamp_seconds When the last successful sync ended, in Unix seconds (0: none known)",
  "# TYPE baton_last_successful_sync_timestamp_seconds gauge",
  `baton_last_successful_sync_timestamp_seconds ${succeeded}`
]

/** The alert's expression on the scraped values. */
const alertFires = (lines: ReadonlyArray<string>) => {
  const value = (name: string) => Number(lines.find((line) => line.startsWith(`${name} `))!.slice(name.length + 1))
  return value(Gauges[0]) > value(Gauges[1])
}

const syncEnding = (service: RunningService, status: string) =>
  Effect.promise(() => fetch(`${service.url}/v1/syncs`, { method: "POST", headers }).then((r) => r.json() as Promise<Job>)).pipe(
    Effect.flatMap((started) =>
      Effect.promise(() => fetch(`${service.url}/v1/syncs/${started.id}`, { headers }).then((r) => r.json() as Promise<Job>)).pipe(
        Effect.delay("100 millis"),
        Effect.repeat({ until: (job) => job.status === status }),
        Effect.timeout("60 seconds"),
        Effect.orDie
      )
    )
  )

const endSeconds = (job: Job) => Date.parse(job.finished_at!) / 1000

describe("baton_last_failed_sync_timestamp_seconds", () => {
  it.scopedLive(
    "0 at start; a failed job's end; the same after a restart; kept below the success that follows",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* fs.makeTempDirectoryScoped()

        const refusedKey = yield* refusedKeyServiceArgs(Token)
        const refused = yield* serviceProcessOver(dataDir, refusedKey.args, { env: refusedKey.env })
        assert.deepStrictEqual(yield* scrape(refused), gaugeLines(0, 0))
        const failed = yield* syncEnding(refused, "failed")
        const afterFailure = yield* scrape(refused)
        assert.deepStrictEqual(afterFailure, gaugeLines(endSeconds(failed), 0))
        assert.isTrue(alertFires(afterFailure))
        assert.strictEqual(yield* refused.stop, 0)

        // The key fixed: the restarted service still says the last sync failed, until one succeeds.
        const fixed = yield* sandboxServiceOver(dataDir, Token)
        const afterRestart = yield* scrape(fixed)
        assert.deepStrictEqual(afterRestart, gaugeLines(endSeconds(failed), 0))
        assert.isTrue(alertFires(afterRestart))
        const succeeded = yield* syncEnding(fixed, "succeeded")
        const afterSuccess = yield* scrape(fixed)
        assert.deepStrictEqual(afterSuccess.slice(0, 3), gaugeLines(endSeconds(failed), 0).slice(0, 3))
        // Set as the sync's engine ended, just before its job did.
        const successAt = Number(afterSuccess[5]!.split(" ")[1])
        assert.isTrue(successAt > endSeconds(failed) && successAt <= endSeconds(succeeded), `${successAt} in the job's run`)
        assert.isFalse(alertFires(afterSuccess))
      }).pipe(
        Effect.provide(Sandbox.layer({ snapshot: generatePreset("small"), port: 0 })),
        Effect.provide(NodeContext.layer)
      ),
    120_000
  )
})
