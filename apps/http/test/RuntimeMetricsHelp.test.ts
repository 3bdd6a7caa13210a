import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { serviceProcessOver } from "./ServiceProcess.js"

/**
 * The bundled service's /metrics: Effect's own runtime metrics (effect_fiber_*) have no description
 * of their own, and their HELP said only their name again.
 */

const Token = "runtime-metrics-help-token-01"

interface Job {
  readonly id: string
  readonly status: string
}

const scrape = (url: string) => Effect.promise(() => fetch(`${url}/metrics`).then((answer) => answer.text()))

describe("/metrics HELP lines", () => {
  it.scopedLive(
    "every family's HELP says what it counts; Effect's runtime metrics say they are the runtime's",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* fs.makeTempDirectoryScoped()
        const service = yield* serviceProcessOver(dataDir, ["--sandbox", "--port", "0", "--token", Token, "--public-metrics"])
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
        const help = (yield* scrape(service.url)).split("\n").filter((line) => line.startsWith("# HELP "))
        assert.deepStrictEqual(help.filter((line) => line.startsWith("# HELP effect_")), [
          "# HELP effect_fiber_active Effect fibers running now (the Effect runtime's own count, for debugging it)",
          "# HELP effect_fiber_failures Effect fibers that ended in a failure, failures the service handles itself " +
          "included (a retried request, a lost race): not an error count; alert on http_server_requests_total and " +
          "baton_sync_duration_seconds",
          "# HELP effect_fiber_lifetimes How long Effect fibers lived, in milliseconds as time_unit says (the Effect " +
          "runtime's own measure, for debugging it)",
          "# HELP effect_fiber_started Effect fibers started (the Effect runtime's own count, for debugging it; not " +
          "requests or syncs)",
          "# HELP effect_fiber_successes Effect fibers that ended in a success (the Effect runtime's own count, for debugging it)"
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
