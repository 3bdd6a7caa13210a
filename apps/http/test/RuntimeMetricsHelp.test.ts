import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { serviceProcessOver } from "./ServiceProcess.js"

/**
 * The bundled service's /metrics: Effect's own runtime metrics (effect_fiber_*) have no description
 * of their own, and their HELP said only their name again; nor do they follow Prometheus' naming
 * (counters without `_total`, fiber lifetimes in milliseconds under a `time_unit` label).
 */

const Token = "runtime-metrics-help-token-01"

interface Job {
  readonly id: string
  readonly status: string
}

const scrape = (url: string) => Effect.promise(() => fetch(`${url}/metrics`).then((answer) => answer.text()))

describe("/metrics HELP lines", () => {
  it.scopedLive(
    "every family's HELP says what it counts; Effect's runtime metrics say they are the runtime's, counters end in _total, times are in seconds",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* fs.makeTempDirectoryScoped()
        const service = yield* serviceProcessOver(dataDir, ["--sandbox", "--port", "0", "--public-metrics"], {
          env: { BATON_HTTP_TOKENS: Token }
        })
        // A sync ends fibers both ways (a lost race's is interrupted): every runtime family is there after it.
        const headers = { authorization: `Bearer ${Token}` }
        const job = (path: string, method = "GET") =>
          Effect.promise(() => fetch(`${service.url}${path}`, { method, headers }).then((r) => r.json() as Promise<Job>))
        const started = yield* job("/v1/syncs", "POST")
        yield* job(`/v1/syncs/${started.id}`).pipe(
          Effect.repeat({ schedule: Schedule.spaced("100 millis"), until: (j) => j.status !== "queued" && j.status !== "running" }),
          Effect.timeout("60 seconds"),
          Effect.orDie
        )
        assert.strictEqual((yield* job(`/v1/syncs/${started.id}`)).status, "succeeded")
        const lines = (yield* scrape(service.url)).split("\n")
        const help = lines.filter((line) => line.startsWith("# HELP "))
        assert.deepStrictEqual(help.filter((line) => line.startsWith("# HELP effect_")), [
          "# HELP effect_fiber_active Effect fibers running now (the Effect runtime's own count, for debugging it)",
          "# HELP effect_fiber_failures_total Effect fibers that ended in a failure, failures the service handles itself " +
          "included (a retried request, a lost race): not an error count; alert on http_server_requests_total and " +
          "baton_sync_duration_seconds",
          "# HELP effect_fiber_lifetimes_seconds How long Effect fibers lived, in seconds (the Effect runtime's own " +
          "measure, for debugging it)",
          "# HELP effect_fiber_started_total Effect fibers started (the Effect runtime's own count, for debugging it; not " +
          "requests or syncs)",
          "# HELP effect_fiber_successes_total Effect fibers that ended in a success (the Effect runtime's own count, for debugging it)"
        ])
        // Prometheus' naming: every counter ends in _total; a time is in seconds, with no unit label.
        const counters = lines.flatMap((line) => /^# TYPE (\w+) counter$/.exec(line)?.[1] ?? [])
        assert.deepStrictEqual(counters.filter((name) => !name.endsWith("_total")), [])
        assert.deepStrictEqual(lines.filter((line) => line.includes("time_unit")), [])
        const lifetimes = lines.filter((line) => line.startsWith("effect_fiber_lifetimes_seconds"))
        assert.deepStrictEqual(
          lifetimes.slice(0, 3).map((line) => line.split(" ")[0]),
          [
            "effect_fiber_lifetimes_seconds_bucket{le=\"0.0005\"}",
            "effect_fiber_lifetimes_seconds_bucket{le=\"0.001\"}",
            "effect_fiber_lifetimes_seconds_bucket{le=\"0.002\"}"
          ]
        )
        assert.deepStrictEqual(lifetimes.slice(33, 34).map((line) => line.split(" ")[0]), [
          "effect_fiber_lifetimes_seconds_bucket{le=\"4294967.296\"}"
        ])
        const bare = help.filter((line) => {
          const [, , name, ...text] = line.split(" ")
          return text.join(" ") === name
        })
        assert.deepStrictEqual(bare, [])
      }).pipe(Effect.provide(NodeContext.layer)),
    { timeout: 120_000 }
  )
})
