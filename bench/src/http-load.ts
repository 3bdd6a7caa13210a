/**
 * Load on the HTTP service holding a `large` sync, on loopback, bounded in time: 64 connections
 * for 30 s over the query and access-view endpoints (autocannon), then 16 concurrent clients
 * provisioning the same grant, round after round (the grant is revoked between rounds, so each
 * round has one write to make). Prints requests/s, p50/p99 latency, non-2xx answers and the
 * service's RSS before and after, with the load average.
 *
 *   npx tsx src/http-load.ts [--preset large] [--fixture DIR] [--keep-fixture] [--duration 30] [--connections 64] [--rounds 10]
 *
 * `--fixture DIR`: a data directory of an earlier service with the same `--preset` holding a finished
 * sync (copied, never changed); without it the service syncs its embedded sandbox first (`large`
 * takes minutes on an idle machine, far longer on a loaded one: `--preset medium` for a quick figure).
 */
import autocannon from "autocannon"
import { type ChildProcess, spawn } from "node:child_process"
import { cp, mkdtemp, readFile, rm } from "node:fs/promises"
import { loadavg, tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { percentile } from "./Stats.js"

const argument = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`)
  return index < 0 ? fallback : process.argv[index + 1] ?? fallback
}
const duration = Number(argument("duration", "30"))
const connections = Number(argument("connections", "64"))
const rounds = Number(argument("rounds", "10"))
const fixture = argument("fixture", "")
const keepFixture = process.argv.includes("--keep-fixture")
const preset = argument("preset", "large")

const service = resolve(dirname(fileURLToPath(import.meta.url)), "../../apps/http/bundle/baton-fivetran-http.js")
const token = "load-bench-token"
const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" }
const load = () => loadavg().map((l) => l.toFixed(1)).join(" ")
const start = (dataDir: string) =>
  new Promise<{ url: string; child: ChildProcess }>((resolveStart, reject) => {
    const child = spawn(
      process.execPath,
      [service, "--sandbox", preset, "--provisioning", "--port", "0", "--data-dir", dataDir, "--log-level", "error"],
      // The token in the environment, as a deployment gives it: as a flag the service warns of it.
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, BATON_HTTP_TOKENS: token } }
    )
    let seen = ""
    child.stdout.on("data", (chunk: Buffer) => {
      seen += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(seen)
      if (match !== null) resolveStart({ url: match[1]!, child })
    })
    child.stderr.on("data", (chunk: Buffer) => {
      seen += chunk.toString()
    })
    child.once("exit", (code) => reject(new Error(`the service exited (${code}): ${seen.slice(-2000)}`)))
  })

const rssMb = async (child: ChildProcess) =>
  Math.round(Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${child.pid}/status`, "utf8"))![1]) / 1024)

/** A GET is retried when the connection fails (a kept-alive socket the server has just closed). */
const json = async <A>(url: string, init?: RequestInit, attempt = 1): Promise<{ status: number; body: A }> => {
  try {
    const response = await fetch(url, { headers, ...init })
    return { status: response.status, body: (await response.json()) as A }
  } catch (error) {
    if (attempt >= 3 || (init?.method ?? "GET") !== "GET") throw error
    return json(url, init, attempt + 1)
  }
}

const main = async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "http-load-"))
  if (fixture !== "") await cp(fixture, dataDir, { recursive: true })
  const { child, url } = await start(dataDir)
  try {
    let syncs = (await json<{ items: ReadonlyArray<{ status: string }> }>(`${url}/v1/syncs`)).body.items
    if (!syncs.some((job) => job.status === "succeeded")) {
      const began = Date.now()
      const job = (await json<{ id: string }>(`${url}/v1/syncs`, { method: "POST" })).body
      for (;;) {
        const current = (await json<{ status: string }>(`${url}/v1/syncs/${job.id}`)).body
        if (current.status === "succeeded") break
        if (current.status !== "queued" && current.status !== "running") throw new Error(`the sync ${current.status}`)
        await new Promise((r) => setTimeout(r, 1000))
      }
      process.stdout.write(`synced the ${preset} sandbox in ${((Date.now() - began) / 1000).toFixed(1)} s (data dir ${dataDir})\n`)
      syncs = (await json<{ items: ReadonlyArray<{ status: string }> }>(`${url}/v1/syncs`)).body.items
    }
    type Page = { items: ReadonlyArray<{ id: { resource: string } }> }
    const users = (await json<Page>(`${url}/v1/resources?type=user&page_size=40`)).body.items.map((r) => r.id.resource)
    const teams = (await json<Page>(`${url}/v1/resources?type=team&page_size=10`)).body.items.map((r) => r.id.resource)
    const paths = [
      "/v1/resources?type=user&page_size=100",
      "/v1/resources?type=group&page_size=100",
      "/v1/entitlements?page_size=100",
      "/v1/grants?page_size=100",
      ...users.slice(0, 20).map((u) => `/v1/grants?principal=user:${u}`),
      ...users.slice(0, 20).map((u) => `/v1/principals/user/${u}/access`),
      ...teams.map((t) => `/v1/principals/team/${t}/access`),
      ...teams.map((t) => `/v1/grants?entitlement=team:${t}:member`)
    ]
    const rssBefore = await rssMb(child)
    const loadBefore = load()
    const result = await autocannon({
      url,
      connections,
      duration,
      headers: { authorization: `Bearer ${token}` },
      requests: paths.map((path) => ({ method: "GET" as const, path }))
    })
    const rssAfter = await rssMb(child)
    process.stdout.write(
      `queries and access views: ${connections} connections for ${duration} s over ${paths.length} URLs: ` +
        `${result.requests.average.toFixed(0)} req/s (${result.requests.total} requests), latency p50 ${result.latency.p50} ms, ` +
        `p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}; ` +
        `service RSS ${rssBefore} MB before, ${rssAfter} MB after; load average ${loadBefore} before, ${load()} after\n`
    )

    const team = teams[0]!
    const members = new Set(
      (await json<{ items: ReadonlyArray<{ principal: { id: { resource: string } } }> }>(
        `${url}/v1/grants?entitlement=team:${team}:member&page_size=1000`
      )).body.items.map((g) => g.principal.id.resource)
    )
    const user = users.find((u) => !members.has(u))!
    const body = JSON.stringify({ entitlement_id: `team:${team}:member`, principal: { type: "user", id: user } })
    const statuses = new Map<string, number>()
    const millis: Array<number> = []
    for (let round = 0; round < rounds; round++) {
      const answers = await Promise.all(Array.from({ length: 16 }, async () => {
        const began = performance.now()
        const response = await fetch(`${url}/v1/grants`, { method: "POST", headers, body })
        const answer = (await response.json()) as { status?: string; error?: string }
        millis.push(performance.now() - began)
        return `${response.status} ${answer.status ?? answer.error}`
      }))
      for (const answer of answers) statuses.set(answer, (statuses.get(answer) ?? 0) + 1)
      await fetch(`${url}/v1/grants/${encodeURIComponent(`team:${team}:member:user:${user}`)}`, { method: "DELETE", headers })
    }
    process.stdout.write(
      `provisioning the same grant from 16 concurrent clients, ${rounds} rounds: answers ` +
        `${Array.from(statuses, ([answer, count]) => `${answer} x${count}`).join(", ")}; latency p50 ` +
        `${percentile(millis, 50).toFixed(0)} ms, p99 ${percentile(millis, 99).toFixed(0)} ms; service RSS ${await rssMb(child)} MB; ` +
        `load average ${load()}\n`
    )
  } finally {
    child.kill("SIGINT")
    if (keepFixture) process.stdout.write(`kept the data dir, for --fixture: ${dataDir}\n`)
    else await rm(dataDir, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  const cause = error instanceof Error && error.cause !== undefined ? ` (${String(error.cause)})` : ""
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}${cause}\n`)
  process.exit(1)
})
