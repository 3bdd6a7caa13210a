/**
 * How long the HTTP service takes to answer `GET /healthz` while a burst of searches that match
 * nothing (each reads every resource of the sync) is in flight: the liveness probe's view of a
 * reader typing in the explorer's search box. A service holding a synced `large` sandbox; each
 * round sends `--searches` distinct `GET /v1/resources?q=` at once, then `/healthz` 50 ms later,
 * and times it and the burst. Also one search alone, for scale.
 *
 *   npx tsx src/search-probe.ts [--preset large] [--rounds 6] [--searches 10] [--service path/to/baton-fivetran-http.js]
 *
 * `--service`: another build's bundle (a checkout of an older commit, built), to compare on the same machine.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { loadavg } from "node:os"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { startService } from "./ServiceProcess.js"
import { percentile } from "./Stats.js"

const argument = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`)
  return index < 0 ? fallback : process.argv[index + 1] ?? fallback
}
const preset = argument("preset", "large")
const rounds = Number(argument("rounds", "6"))
const searches = Number(argument("searches", "10"))
const service = resolve(
  argument("service", resolve(dirname(fileURLToPath(import.meta.url)), "../../apps/http/bundle/baton-fivetran-http.js"))
)
const token = "search-probe-bench-token"
const headers = { authorization: `Bearer ${token}` }

/** Milliseconds `request` takes to answer, its body read; fails on a status other than 200. */
const timed = async (url: string, withToken = true) => {
  const began = performance.now()
  const response = await fetch(url, withToken ? { headers } : {})
  await response.arrayBuffer()
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`)
  return performance.now() - began
}

const seconds = (millis: number) => `${(millis / 1000).toFixed(2)} s`

/** Syncs the service's sandbox, then times one search alone and `rounds` bursts with /healthz in each. */
const probe = async (url: string) => {
  const job = (await (await fetch(`${url}/v1/syncs`, { method: "POST", headers })).json()) as { id: string }
  for (;;) {
    const current = (await (await fetch(`${url}/v1/syncs/${job.id}`, { headers })).json()) as { status: string }
    if (current.status === "succeeded") break
    if (!["queued", "running", "waiting_for_rate_limit"].includes(current.status)) throw new Error(`the sync ${current.status}`)
    await new Promise((r) => setTimeout(r, 500))
  }
  // Opens the sync's reader, which the searches then share.
  await timed(`${url}/v1/resources?type=user&page_size=1`)
  const alone = await timed(`${url}/v1/resources?q=alone-${Date.now()}&page_size=1`)
  const probes: Array<number> = []
  const bursts: Array<number> = []
  for (let round = 0; round < rounds; round++) {
    const began = performance.now()
    const burst = Promise.all(
      Array.from({ length: searches }, (_, i) => timed(`${url}/v1/resources?q=nomatch-${round}-${i}&page_size=1`))
    )
    await new Promise((r) => setTimeout(r, 50))
    probes.push(await timed(`${url}/healthz`, false))
    await burst
    bursts.push(performance.now() - began)
  }
  process.stdout.write(
    `${service}\n  ${preset}: one search that matches nothing alone ${seconds(alone)}; ${rounds} rounds of ${searches} at once: ` +
      `/healthz answered in median ${seconds(percentile(probes, 50))} (min ${seconds(Math.min(...probes))}, max ${
        seconds(Math.max(...probes))
      }); each burst took median ${seconds(percentile(bursts, 50))}; load average ${loadavg().map((l) => l.toFixed(2)).join(", ")}\n`
  )
}

const bench = Effect.gen(function*() {
  const dataDir = yield* (yield* FileSystem.FileSystem).makeTempDirectoryScoped({ prefix: "search-probe-" })
  const started = yield* startService(service, token, dataDir, ["--sandbox", preset, "--log-level", "error"])
  yield* Effect.promise(() => probe(started.url))
})

NodeRuntime.runMain(Effect.scoped(bench).pipe(Effect.provide(NodeContext.layer)))
