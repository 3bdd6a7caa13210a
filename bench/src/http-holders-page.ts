/**
 * The last page of one large entitlement's holders (`GET /v1/grants?entitlement=`), cold, against
 * the HTTP service: one team of `--holders` users (default 20,000), synced by the service from an
 * in-process sandbox. The page's token is the key of the row 50 before the end; each timed request
 * asks a different page size (50 down to 50 - `--pages` + 1), so none is served from the service's
 * cache of answers. With `--before`, an older build of the service (e.g. a copy of its bundle) is
 * measured in the same run, alternately request by request, on a copy of the same data directory,
 * and every body is compared byte for byte between the two.
 *
 *   npx tsx src/http-holders-page.ts [--holders 20000] [--pages 20] [--before OLD/baton-fivetran-http.js]
 *
 * Prints each service's median and range of the page's time, and its CPU milliseconds per page
 * (read from /proc), the figure least disturbed by other load.
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { generate, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { Console, Effect, Layer, Schema } from "effect"
import { cp } from "node:fs/promises"
import { loadavg } from "node:os"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { median, range } from "./Stats.js"
import { cpuMillis, type ServiceProcess, startService } from "./ServiceProcess.js"
import { tempDirectory } from "./TempDirectory.js"

const argument = (name: string): string | undefined => {
  const index = process.argv.indexOf(`--${name}`)
  return index < 0 ? undefined : process.argv[index + 1]
}

const Options = Schema.Struct({
  holders: Schema.NumberFromString.pipe(Schema.int(), Schema.greaterThan(100)),
  pages: Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 50))
})
const options = Schema.decodeUnknownSync(Options)({ holders: argument("holders") ?? "20000", pages: argument("pages") ?? "20" })
const beforeArgument = argument("before")

const here = dirname(fileURLToPath(import.meta.url))
const currentService = resolve(here, "../../apps/http/bundle/baton-fivetran-http.js")
const token = "bench-token-0123456789"
const headers = { authorization: `Bearer ${token}` }
const load = () => loadavg().map((l) => l.toFixed(1)).join(" ")

const account = generate({
  seed: 7,
  users: options.holders,
  groups: 1,
  teams: 1,
  connections: 0,
  customRoles: 0,
  groupsPerUser: { min: 0, max: 0 },
  connectionsPerUser: { min: 0, max: 0 },
  usersPerTeam: { min: options.holders, max: options.holders },
  groupsPerTeam: { min: 0, max: 0 },
  connectionsPerTeam: { min: 0, max: 0 },
  invitedShare: 0,
  suspendedShare: 0,
  serviceAccountShare: 0,
  noAccountRoleShare: 0,
  deprecatedRoleShare: 0
})
const entitlement = `team:${account.teams[0]!.id}:member`
const listing = `/v1/grants?entitlement=${encodeURIComponent(entitlement)}`

const get = (service: ServiceProcess, path: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const started = performance.now()
    const response = await fetch(`${service.url}${path}`, { ...init, headers })
    const body = Buffer.from(await response.arrayBuffer())
    if (response.status >= 300) throw new Error(`${path}: ${response.status} ${body.toString()}`)
    return { millis: performance.now() - started, body }
  })

const Job = Schema.parseJson(Schema.Struct({ id: Schema.String, status: Schema.String, error: Schema.NullOr(Schema.String) }))
const Page = Schema.parseJson(Schema.Struct({ items: Schema.Array(Schema.Unknown), next_page_token: Schema.NullOr(Schema.String) }))

/** A data directory with the service's sync of the account. */
const makeFixture = Effect.gen(function*() {
  const dir = yield* tempDirectory("bench-holders-data-")
  const sandbox = yield* Sandbox
  const key = account.credentials.find((credential) => credential._tag === "SystemKey")!
  const secret = key._tag === "SystemKey" ? key.secret : ""
  yield* Console.log(`syncing ${options.holders} users of one team into ${dir}`)
  yield* Effect.scoped(Effect.gen(function*() {
    const service = yield* startService(currentService, token, dir, [
      "--api-key",
      key.key,
      "--api-secret",
      secret,
      "--base-url",
      sandbox.baseUrl
    ])
    const job = Schema.decodeUnknownSync(Job)((yield* get(service, "/v1/syncs", { method: "POST" })).body.toString())
    const poll: Effect.Effect<void> = Effect.gen(function*() {
      yield* Effect.sleep("1 second")
      const now = Schema.decodeUnknownSync(Job)((yield* get(service, `/v1/syncs/${job.id}`)).body.toString())
      if (now.status === "succeeded") return
      if (now.status !== "queued" && now.status !== "running") return yield* Effect.dieMessage(`sync ${now.status}: ${now.error}`)
      return yield* poll
    })
    yield* poll
  }))
  return dir
})

/** The token after the row 50 before the end: pages of 1,000, then one to the row 50 before the end. */
const lastPageToken = (service: ServiceProcess) =>
  Effect.gen(function*() {
    let next: string | null = null
    let listed = 0
    while (listed + 1000 <= options.holders - 50) {
      const tokenParam: string = next === null ? "" : `&page_token=${encodeURIComponent(next)}`
      next = Schema.decodeUnknownSync(Page)((yield* get(service, `${listing}&page_size=1000${tokenParam}`)).body.toString())
        .next_page_token
      listed += 1000
    }
    const rest = options.holders - 50 - listed
    const tokenParam = next === null ? "" : `&page_token=${encodeURIComponent(next)}`
    const page = Schema.decodeUnknownSync(Page)((yield* get(service, `${listing}&page_size=${rest}${tokenParam}`)).body.toString())
    return page.next_page_token!
  })

interface Measured {
  readonly label: string
  readonly service: ServiceProcess
  readonly millis: Array<number>
  readonly cpu: Array<number>
  readonly bodies: Array<Buffer>
}

const bench = Effect.gen(function*() {
  yield* Console.log(`http-holders-page bench: ${options.holders} holders, ${options.pages} cold last pages, load average ${load()}`)
  const fixture = yield* makeFixture
  const builds = [
    ...(beforeArgument === undefined ? [] : [{ label: "before", main: resolve(beforeArgument) }]),
    { label: "current", main: currentService }
  ]
  const measured: Array<Measured> = []
  for (const build of builds) {
    const dataDir = yield* tempDirectory("bench-holders-copy-")
    yield* Effect.promise(() => cp(fixture, dataDir, { recursive: true }))
    // No Fivetran target is used: the service only answers queries on the copied sync.
    const service = yield* startService(build.main, token, dataDir, ["--sandbox", "small"])
    // Opens the sync's reader, so that no timed page pays for it.
    yield* get(service, `${listing}&page_size=1`)
    measured.push({ label: build.label, service, millis: [], cpu: [], bodies: [] })
  }
  const pageToken = yield* lastPageToken(measured[0]!.service)
  for (let page = 0; page < options.pages; page++) {
    const path = `${listing}&page_size=${50 - page}&page_token=${encodeURIComponent(pageToken)}`
    for (const run of measured) {
      const cpuBefore = yield* cpuMillis(run.service)
      const { body, millis } = yield* get(run.service, path)
      run.cpu.push((yield* cpuMillis(run.service)) - cpuBefore)
      run.millis.push(millis)
      run.bodies.push(body)
    }
  }
  for (const run of measured) {
    yield* Console.log(
      `  ${run.label}: last page of ${options.holders} holders, median ${median(run.millis).toFixed(1)} ms ` +
        `(${range(run.millis, 1)} ms), service CPU ${(run.cpu.reduce((a, b) => a + b, 0) / run.cpu.length).toFixed(1)} ms per page`
    )
  }
  if (measured.length === 2) {
    const [before, after] = measured as [Measured, Measured]
    const same = before.bodies.every((body, i) => body.equals(after.bodies[i]!))
    yield* Console.log(
      `  before / current: ${(median(before.millis) / median(after.millis)).toFixed(1)}x by medians; bodies ${
        same ? "identical" : "DIFFERENT"
      }`
    )
  }
  yield* Console.log(`load average at the end: ${load()}`)
})

const sandbox = Sandbox.layer({ snapshot: account, port: 0, rateLimit: { hourly: 10_000_000 } })

NodeRuntime.runMain(
  Effect.scoped(bench).pipe(Effect.provide(Layer.provideMerge(sandbox, NodeContext.layer)), Effect.asVoid)
)
