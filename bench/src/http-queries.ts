/**
 * Query latency and throughput of the HTTP service holding a `large` sync (with connections:
 * 12,809 resources, 111,594 grants), on loopback. With `--before`, an older build of the service
 * (e.g. a worktree of an earlier main commit, built) is measured in the same run on a copy of the
 * same data, and every measured body is compared byte for byte between the two.
 *
 *   npx tsx src/http-queries.ts [--fixture DIR] [--keep-fixture] [--before OLD/apps/http/dist/main.js]
 *                               [--duration 20] [--connections 64]
 *
 * `--fixture DIR` is a service data directory holding a finished sync (copied, never changed);
 * without it the bench makes one first: the service syncs its embedded `large` sandbox with
 * connections (several minutes), kept with `--keep-fixture` for the next run. Per service: the first
 * query (opens the .c1z), 100 sequential identical queries, 50 cold pages walked from the start,
 * up to 20 cold pages from the first and from the last tenth of the grants (keyset: the same cost), then
 * autocannon on each of three URLs. RSS and CPU time are the service's, read from /proc before and
 * after each run; CPU milliseconds per request are the figure least disturbed by other load.
 */
import autocannon from "autocannon"
import { Console, Effect, Schema } from "effect"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { cp, mkdtemp, readdir, rm } from "node:fs/promises"
import { loadavg, tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { percentile } from "./Stats.js"
import { cpuMillis, rssMb, type ServiceProcess, startService } from "./ServiceProcess.js"
import { tempDirectory } from "./TempDirectory.js"

const argument = (name: string): string | undefined => {
  const index = process.argv.indexOf(`--${name}`)
  return index < 0 ? undefined : process.argv[index + 1]
}

const Options = Schema.Struct({
  duration: Schema.NumberFromString.pipe(Schema.int(), Schema.positive()),
  connections: Schema.NumberFromString.pipe(Schema.int(), Schema.positive())
})
const options = Schema.decodeUnknownSync(Options)({
  duration: argument("duration") ?? "20",
  connections: argument("connections") ?? "64"
})
const fixtureArgument = argument("fixture")
const beforeArgument = argument("before")

const here = dirname(fileURLToPath(import.meta.url))
const currentService = resolve(here, "../../apps/http/dist/main.js")
const token = "bench-token-0123456789"
const headers = { authorization: `Bearer ${token}` }

const load = () => loadavg().map((l) => l.toFixed(1)).join(" ")
const round = (n: number, digits = 1) => Number(n.toFixed(digits))

interface Timed {
  readonly millis: number
  readonly status: number
  readonly body: Buffer
}

const get = (service: ServiceProcess, path: string) =>
  Effect.promise(async (): Promise<Timed> => {
    const started = performance.now()
    const response = await fetch(`${service.url}${path}`, { headers })
    const body = Buffer.from(await response.arrayBuffer())
    return { millis: performance.now() - started, status: response.status, body }
  })

const ok = (path: string, timed: Timed) =>
  timed.status === 200 ? Effect.succeed(timed) : Effect.dieMessage(`${path}: ${timed.status} ${timed.body.toString()}`)

const Page = Schema.parseJson(Schema.Struct({ items: Schema.Array(Schema.Unknown), next_page_token: Schema.NullOr(Schema.String) }))
const decodePage = Schema.decodeUnknownSync(Page)
const UserPage = Schema.parseJson(Schema.Struct({ items: Schema.Array(Schema.Struct({ id: Schema.Struct({ resource: Schema.String }) })) }))

/** Follows next_page_token from `path` for at most `pages` pages; the tokens and each page's time. */
const walk = (service: ServiceProcess, path: string, pages: number) =>
  Effect.gen(function*() {
    const tokens: Array<string> = []
    const millis: Array<number> = []
    let next: string | null = null
    do {
      const url: string = next === null ? path : `${path}&page_token=${next}`
      const timed = yield* Effect.flatMap(get(service, url), (t) => ok(url, t))
      millis.push(timed.millis)
      next = decodePage(timed.body.toString()).next_page_token
      if (next !== null) tokens.push(next)
    } while (next !== null && millis.length < pages)
    return { tokens, millis }
  })

const sequential = (service: ServiceProcess, path: string, times: number) =>
  Effect.gen(function*() {
    const millis: Array<number> = []
    const cpuBefore = yield* cpuMillis(service)
    for (let i = 0; i < times; i++) millis.push((yield* Effect.flatMap(get(service, path), (t) => ok(path, t))).millis)
    return { millis, cpuPerRequest: ((yield* cpuMillis(service)) - cpuBefore) / times }
  })

/**
 * Waits (at most a minute) until /healthz answers within 100 ms: a saturated service is still
 * working off the previous run's requests, which would count against the next run.
 */
const settle = (service: ServiceProcess) =>
  Effect.gen(function*() {
    for (let tries = 0; tries < 60; tries++) {
      if ((yield* get(service, "/healthz")).millis < 100) return
      yield* Effect.sleep("1 second")
    }
  })

const cannon = (service: ServiceProcess, path: string) =>
  Effect.gen(function*() {
    yield* settle(service)
    const rssBefore = yield* rssMb(service)
    const cpuBefore = yield* cpuMillis(service)
    const result = yield* Effect.promise(() =>
      autocannon({ url: `${service.url}${path}`, connections: options.connections, duration: options.duration, headers })
    )
    const cpu = (yield* cpuMillis(service)) - cpuBefore
    const rssAfter = yield* rssMb(service)
    const answered = result["2xx"] + result.non2xx
    return {
      path,
      requestsPerSecond: Math.round(answered / result.duration),
      cpuPerRequest: answered === 0 ? Number.NaN : round(cpu / answered, 2),
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
      rssBefore,
      rssAfter,
      load: load()
    }
  })

/** Everything measured on one service; `bodies` are the answers to compare between services. */
const measure = (label: string, main: string, fixture: string) =>
  Effect.scoped(Effect.gen(function*() {
    const dataDir = yield* tempDirectory("bench-http-data-")
    yield* Effect.promise(() => cp(fixture, dataDir, { recursive: true }))
    const service = yield* startService(main, token, dataDir, ["--sandbox", "small"])
    yield* Console.log(`\n${label}: ${main} (load average ${load()})`)

    const first = yield* Effect.flatMap(get(service, "/v1/grants?page_size=1"), (t) => ok("first", t))
    const user = Schema.decodeUnknownSync(UserPage)(
      (yield* Effect.flatMap(get(service, "/v1/resources?type=user&page_size=1"), (t) => ok("user", t))).body.toString()
    ).items[0]!.id.resource
    const urls = {
      grants: "/v1/grants?page_size=100",
      users: "/v1/resources?type=user&page_size=100",
      access: `/v1/principals/user/${user}/access`
    }
    const { cpuPerRequest, millis: repeated } = yield* sequential(service, urls.grants, 100)
    const cold = yield* walk(service, urls.grants, 50)
    // Tokens every 1,000 grants, from the start to the end; a token does not depend on the page size.
    const marks = yield* walk(service, "/v1/grants?page_size=1000", Number.POSITIVE_INFINITY)
    const tenth = Math.max(1, Math.floor(marks.tokens.length / 10))
    // The first 5 marks are inside the 50 pages walked above, which a cache may keep.
    const coldAt = (tokens: ReadonlyArray<string>) =>
      Effect.forEach(tokens, (t) => Effect.map(get(service, `/v1/grants?page_size=100&page_token=${t}`), (r) => r.millis))
    const early = yield* coldAt(marks.tokens.slice(5, 5 + Math.min(20, tenth)))
    const deep = yield* coldAt(marks.tokens.slice(-Math.min(20, tenth)))
    const lastPage = marks.tokens.at(-1)!
    const bodies = {
      grants: (yield* get(service, urls.grants)).body,
      users: (yield* get(service, urls.users)).body,
      access: (yield* get(service, urls.access)).body,
      last: (yield* get(service, `/v1/grants?page_size=100&page_token=${lastPage}`)).body
    }
    const median = (values: ReadonlyArray<number>) => round(percentile(values, 50))
    yield* Console.log([
      `  first query (opens the .c1z)          ${Math.round(first.millis)} ms`,
      `  ${urls.grants} x100 sequential: median ${median(repeated)} ms, p90 ${round(percentile(repeated, 90))} ms, ` +
      `service CPU ${round(cpuPerRequest, 2)} ms per request`,
      `  50 cold pages from the start:          median ${median(cold.millis)} ms`,
      `  cold 100-row pages, first tenth / last tenth of ${marks.tokens.length * 1000}+ grants: median ${median(early)} / ${
        median(deep)
      } ms`,
      `  RSS after these                        ${yield* rssMb(service)} MB`
    ].join("\n"))
    const runs = []
    for (const path of Object.values(urls)) {
      const run = yield* cannon(service, path)
      runs.push(run)
      yield* Console.log(
        `  ${options.connections} connections x ${options.duration} s ${path}: ${run.requestsPerSecond} req/s ` +
          `(service CPU ${run.cpuPerRequest} ms per request), p50 ${run.p50} ms, ` +
          `p99 ${run.p99} ms, non-2xx ${run.non2xx}, errors ${run.errors}, RSS ${run.rssBefore} -> ${run.rssAfter} MB ` +
          `(load average ${run.load})`
      )
    }
    return { label, repeated, cold: cold.millis, early, deep, runs, bodies }
  }))

/** A data directory with a finished `large` sync, made by the service itself. */
const makeFixture = Effect.gen(function*() {
  const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "bench-http-fixture-")))
  yield* Console.log(`syncing the embedded large sandbox (with connections) into ${dir}; this takes minutes`)
  yield* Effect.scoped(Effect.gen(function*() {
    const service = yield* startService(currentService, token, dir, ["--sandbox", "large", "--sync-connections"])
    const started = yield* Effect.promise(() => fetch(`${service.url}/v1/syncs`, { method: "POST", headers }))
    const Job = Schema.parseJson(Schema.Struct({ id: Schema.String, status: Schema.String, error: Schema.NullOr(Schema.String) }))
    const job = Schema.decodeUnknownSync(Job)(yield* Effect.promise(() => started.text()))
    const poll: Effect.Effect<void> = Effect.gen(function*() {
      yield* Effect.sleep("2 seconds")
      const now = Schema.decodeUnknownSync(Job)((yield* get(service, `/v1/syncs/${job.id}`)).body.toString())
      if (now.status === "succeeded") return
      if (now.status !== "queued" && now.status !== "running") return yield* Effect.dieMessage(`sync ${now.status}: ${now.error}`)
      return yield* poll
    })
    yield* poll.pipe(Effect.timeoutFail({ duration: "30 minutes", onTimeout: () => new Error("the sync took over 30 minutes") }))
  }))
  return dir
})

const bench = Effect.gen(function*() {
  yield* Console.log(`http-queries bench, ${options.connections} connections x ${options.duration} s, load average ${load()}`)
  const fixture = fixtureArgument ?? (yield* Effect.acquireRelease(
    makeFixture,
    (dir) =>
      process.argv.includes("--keep-fixture")
        ? Console.log(`fixture kept: --fixture ${dir}`)
        : Effect.promise(() => rm(dir, { recursive: true, force: true }))
  ))
  const files = yield* Effect.promise(() => readdir(fixture))
  if (!files.some((name) => name.endsWith(".c1z"))) return yield* Effect.dieMessage(`${fixture} holds no .c1z`)

  const services = [
    ...(beforeArgument === undefined ? [] : [{ label: "before", main: resolve(beforeArgument) }]),
    { label: "current", main: currentService }
  ]
  const results = []
  for (const service of services) results.push(yield* measure(service.label, service.main, fixture))

  if (results.length === 2) {
    const [before, after] = results as [typeof results[0], typeof results[0]]
    const same = Object.entries(before.bodies).map(([name, body]) =>
      `${name} ${body.equals(after.bodies[name as keyof typeof after.bodies]) ? "identical" : "DIFFERENT"}`
    )
    const ratio = (a: ReadonlyArray<number>, b: ReadonlyArray<number>) => round(percentile(a, 50) / percentile(b, 50))
    yield* Console.log([
      `\nbefore / current (medians): repeated ${ratio(before.repeated, after.repeated)}x, cold pages ${ratio(before.cold, after.cold)}x`,
      ...before.runs.map((run, i) =>
        `  ${run.path}: ${run.requestsPerSecond} -> ${after.runs[i]!.requestsPerSecond} req/s, ` +
        `service CPU ${run.cpuPerRequest} -> ${after.runs[i]!.cpuPerRequest} ms per request`
      ),
      `bodies: ${same.join(", ")}`
    ].join("\n"))
  }
  yield* Console.log(`load average at the end: ${load()}`)
})

NodeRuntime.runMain(Effect.scoped(bench).pipe(Effect.provide(NodeContext.layer)))
