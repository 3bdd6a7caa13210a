/**
 * Times the real CLI syncing a sandbox served by the real CLI in another process, as a user runs
 * them (build first: pnpm build):
 *   1. `baton-fivetran sandbox --preset P --latency L` is started and its URL and system key read;
 *   2. `baton-fivetran --base-url URL ... --sync-connections --concurrency C -f tmp.c1z` runs under
 *      /usr/bin/time, which reports the sync process's own wall time, CPU time (user + system)
 *      and peak RSS;
 *   3. the latency bound, requests × latency / concurrency, is what the sync would take if only
 *      the sandbox's added latency cost time; the bench prints wall / bound.
 * Each run gets a fresh sandbox process (the rolling rate-limit window starts empty).
 *   cd bench && npx tsx src/cli-sync.ts --preset large --latency 20 --concurrency 8 --serial
 *   cd bench && npx tsx src/cli-sync.ts --preset large --latency 50 --concurrency 32
 *   cd bench && npx tsx src/cli-sync.ts --preset medium --latency 20 --concurrency 8
 * After each sync, 50 sequential requests of a bare node:http client to the same sandbox give its
 * round trip at that latency: what the sandbox and loopback HTTP take beyond the latency itself,
 * which no client can go below (printed with the bound it implies). That round trip is of a small
 * body; a group-user page (~280 KB in `large`) takes longer. --bare also walks every list the
 * sync requested with a bare client at the same concurrency, against a fresh sandbox
 * (BareWalk.ts), and prints its time: the floor this sandbox and machine set for the whole
 * request mix, and the sync's time against it.
 * --serial also runs concurrency 1 and prints the speed-up; --cli PATH times another build of the
 * CLI (e.g. an older checkout's bin) against the same sandbox build, for before/after figures. The
 * CPU goal compares with the issue's baseline on the same machine, main at 4282010 built in a worktree:
 *   cd bench && npx tsx src/cli-sync.ts --preset large --latency 20 --concurrency 8 --cli ../base/apps/cli/dist/bin.js
 * --runs N syncs N times (each against a fresh sandbox) and adds the median and range of wall, CPU
 * and peak RSS: on a shared machine one run's CPU time can be off by more than a second.
 * --vs PATH alternates each of those runs with one of another build (PATH) and prints both builds'
 * medians and the ratio of their median CPU and wall: the CPU goal's figure, against the issue's
 * baseline on the same machine, in one run (the machine's speed drifts by minutes):
 *   cd bench && npx tsx src/cli-sync.ts --preset large --latency 20 --concurrency 8 --runs 2 --vs ../base/apps/cli/dist/bin.js
 * --scale N syncs the preset grown N times (its users, teams and connections; the groups stay, so
 * each group's user list grows N times), generated once into a temporary state file that each
 * sandbox serves (`sandbox --state`), with the sandbox's hourly request limit raised so that the
 * larger sync does not wait for the budget: how the CLI's memory grows past the largest preset.
 *   cd bench && npx tsx src/cli-sync.ts --preset large --scale 2 --latency 20 --concurrency 8 --runs 2
 * --breakdown runs the sync with its debug log and prints where its wall time went past the bound
 * (SyncBreakdown.ts): start-up, each request's time past the latency, idle request slots, finish.
 * The log costs the sync some time of its own: time such runs apart from the others.
 *   cd bench && npx tsx src/cli-sync.ts --preset large --latency 50 --concurrency 32 --breakdown
 */
import { Command } from "@effect/platform"
import { defaultSeed, generate, presets, writeSnapshot } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Option, Schema, Stream } from "effect"
import { readFile } from "node:fs/promises"
import { Agent } from "node:http"
import { loadavg } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type BareWalk, bareGet, bareWalk } from "./BareWalk.js"
import { median, range } from "./Stats.js"
import { describeBreakdown, type SyncBreakdown, syncBreakdown } from "./SyncBreakdown.js"
import { tempDirectory } from "./TempDirectory.js"

const argument = (name: string): string | undefined => {
  const index = process.argv.indexOf(`--${name}`)
  return index < 0 ? undefined : process.argv[index + 1]
}

const Options = Schema.Struct({
  preset: Schema.Literal("small", "medium", "large"),
  latency: Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()),
  concurrency: Schema.NumberFromString.pipe(Schema.int(), Schema.positive()),
  serial: Schema.Boolean,
  bare: Schema.Boolean,
  breakdown: Schema.Boolean,
  cli: Schema.String,
  vs: Schema.optional(Schema.String),
  runs: Schema.NumberFromString.pipe(Schema.int(), Schema.positive()),
  scale: Schema.NumberFromString.pipe(Schema.int(), Schema.positive())
})

const bundled = fileURLToPath(new URL("../../apps/cli/bundle/baton-fivetran.js", import.meta.url))

const options = Schema.decodeUnknownSync(Options)({
  preset: argument("preset") ?? "large",
  latency: argument("latency") ?? "20",
  concurrency: argument("concurrency") ?? "8",
  serial: process.argv.includes("--serial"),
  bare: process.argv.includes("--bare"),
  breakdown: process.argv.includes("--breakdown"),
  cli: argument("cli") ?? bundled,
  vs: argument("vs"),
  runs: argument("runs") ?? "1",
  scale: argument("scale") ?? "1"
})

/** What the sandbox serves: `sandbox` arguments naming a preset, or a generated account's state file. */
type SandboxSource = ReadonlyArray<string>

/** Requests a scaled account's sandbox allows an hour: more than any scaled sync here makes. */
const scaledHourlyLimit = 1_000_000

/** The preset grown `options.scale` times, written to a temporary state file for the sandboxes to serve. */
const scaledSource = Effect.gen(function*() {
  const preset = presets[options.preset]
  const account = generate({
    ...preset,
    seed: defaultSeed,
    users: preset.users * options.scale,
    teams: preset.teams * options.scale,
    connections: preset.connections * options.scale
  })
  const dir = yield* tempDirectory("bench-cli-sync-account-")
  const file = join(dir, "account.json")
  yield* writeSnapshot(file, account)
  return {
    source: ["--state", file, "--hourly-limit", String(scaledHourlyLimit)],
    described: `preset ${options.preset} ×${options.scale} (${account.users.length} users, ${account.teams.length} teams, ` +
      `${account.connections.length} connections, ${account.groups.length} groups; hourly limit ${scaledHourlyLimit})`
  }
})

interface Run {
  readonly concurrency: number
  readonly requests: number
  readonly wallSeconds: number
  readonly cpuSeconds: number
  readonly peakRssMb: number
  readonly summary: string
  /** Median of a bare client's sequential round trips to the sandbox, in ms. */
  readonly roundTripMillis: number
  /** With --breakdown: where the wall time went. */
  readonly breakdown: Option.Option<SyncBreakdown>
}

/** Median of `count` sequential keep-alive GETs (429s after the sync count too: they are held back the same). */
const medianRoundTrip = (url: string, authorization: string, count: number) =>
  Effect.promise(async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const times: Array<number> = []
    for (let i = 0; i < count; i++) {
      const started = performance.now()
      await bareGet(agent, `${url}/v1/account/info`, authorization)
      times.push(performance.now() - started)
    }
    agent.destroy()
    return median(times)
  })

/** Starts `baton-fivetran sandbox` and reads its URL and system key from the banner. */
const startSandbox = (source: SandboxSource) =>
  Effect.gen(function*() {
    const sandbox = yield* Command.start(
      Command.make(process.execPath, bundled, "sandbox", ...source, "--latency", String(options.latency))
    )
    const banner = yield* sandbox.stdout.pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.takeUntil((line) => line === "Stop with Ctrl-C."),
      Stream.runCollect,
      Effect.map((lines) => Array.from(lines))
    )
    const url = banner[0]?.match(/listening on (\S+)$/)?.[1]
    const key = banner.find((line) => line.startsWith("  system key "))?.match(/--api-key (\S+) --api-secret (\S+)/)
    if (url === undefined || key === undefined || key === null) {
      return yield* Effect.dieMessage(`unexpected sandbox banner:\n${banner.join("\n")}`)
    }
    return { url, key: key[1]!, secret: key[2]!, authorization: `Basic ${btoa(`${key[1]}:${key[2]}`)}` }
  })

/** A bare walk of the same lists at the same concurrency, against a fresh sandbox process (its rate-limit window empty). */
const bareOnce = (source: SandboxSource, concurrency: number) =>
  Effect.scoped(
    Effect.flatMap(
      startSandbox(source),
      (sandbox) => bareWalk(sandbox.url, sandbox.authorization, concurrency)
    )
  )

/** The bare walk's time against the latency bound, and the sync's against the bare walk's. */
const describeBare = (run: Run, bare: BareWalk) => {
  const bound = (bare.requests * options.latency) / 1000 / run.concurrency
  return `    a bare client walking the same lists (${bare.requests} requests, nothing done with a page but read it) at ` +
    `concurrency ${run.concurrency}, against a fresh sandbox: ${bare.wallSeconds.toFixed(1)} s → ` +
    `${(bare.wallSeconds / bound).toFixed(2)}× the bound; this sync took ${(run.wallSeconds / bare.wallSeconds).toFixed(2)}× that`
}

/** One sync by the CLI at `cli` under /usr/bin/time, against a fresh sandbox process. */
const syncOnce = (source: SandboxSource, concurrency: number, cli: string = options.cli) =>
  Effect.scoped(Effect.gen(function*() {
    const sandbox = yield* startSandbox(source)
    const dir = yield* tempDirectory("bench-cli-sync-")
    const timing = join(dir, "time.txt")
    const spawnedAt = Date.now()
    const child = yield* Command.start(Command.make(
      "/usr/bin/time",
      "-o",
      timing,
      "-f",
      "%e %U %S %M",
      process.execPath,
      cli,
      "--base-url",
      sandbox.url,
      "--api-key",
      sandbox.key,
      "--api-secret",
      sandbox.secret,
      "--sync-connections",
      "--concurrency",
      String(concurrency),
      "-f",
      join(dir, "sync.c1z"),
      ...(options.breakdown ? ["--log-format", "json", "--log-level", "debug"] : ["--log-format", "console", "--log-level", "warn"])
    ))
    const [stderr, exitCode] = yield* Effect.all([
      child.stderr.pipe(Stream.decodeText(), Stream.mkString),
      child.exitCode,
      child.stdout.pipe(Stream.runDrain)
    ], { concurrency: "unbounded" })
    const exitedAt = Date.now()
    if (exitCode !== 0) return yield* Effect.dieMessage(`the sync exited ${exitCode}:\n${stderr}`)
    const [wall, user, sys, rssKb] = (yield* Effect.promise(() => readFile(timing, "utf8"))).trim().split(/\s+/).map(Number)
    // The summary's "requests  N" (console log) or "requests":N (the JSON log of --breakdown).
    const requests = Number(stderr.match(/requests"?:?\s*(\d+)/)?.[1])
    const breakdown = options.breakdown
      ? Option.some(
        yield* Effect.orDieWith(
          syncBreakdown(stderr, { spawnedAt, exitedAt, latencyMillis: options.latency, concurrency }),
          () => "the sync's log holds no \"Fivetran request\" line"
        )
      )
      : Option.none()
    const roundTripMillis = yield* medianRoundTrip(sandbox.url, sandbox.authorization, 50)
    return {
      concurrency,
      requests,
      wallSeconds: wall!,
      cpuSeconds: user! + sys!,
      peakRssMb: Math.round(rssKb! / 1024),
      summary: stderr.trim().split("\n").filter((line) => /^\s+(resources|entitlements|grants)/.test(line)).join("; "),
      roundTripMillis,
      breakdown
    } satisfies Run
  }))

const describeRun = (run: Run) => {
  const bound = (run.requests * options.latency) / 1000 / run.concurrency
  return [
    `  concurrency ${run.concurrency}: wall ${run.wallSeconds.toFixed(1)} s, latency bound ${bound.toFixed(1)} s ` +
    `(${run.requests} requests × ${options.latency} ms / ${run.concurrency}) → ${(run.wallSeconds / bound).toFixed(2)}× the bound`,
    `    CPU ${run.cpuSeconds.toFixed(1)} s (user + system of the CLI process), peak RSS ${run.peakRssMb} MB`,
    `    a bare client's round trip to this sandbox: median ${run.roundTripMillis.toFixed(1)} ms; with it the bound is ` +
    `${(run.requests * run.roundTripMillis / 1000 / run.concurrency).toFixed(1)} s → ` +
    `${(run.wallSeconds / (run.requests * run.roundTripMillis / 1000 / run.concurrency)).toFixed(2)}×`,
    `    ${run.summary.replace(/\s+/g, " ")}`,
    ...Option.toArray(Option.map(run.breakdown, describeBreakdown))
  ].filter((line) => line.trim() !== "").join("\n")
}

/** The median and range of each figure over the runs (the bound is the same for every run). */
const describeRuns = (runs: ReadonlyArray<Run>) => {
  const bound = (runs[0]!.requests * options.latency) / 1000 / runs[0]!.concurrency
  const walls = runs.map((run) => run.wallSeconds)
  const cpus = runs.map((run) => run.cpuSeconds)
  const rss = runs.map((run) => run.peakRssMb)
  return `  median of ${runs.length} runs: wall ${median(walls).toFixed(1)} s (${range(walls, 1)}) → ` +
    `${(median(walls) / bound).toFixed(2)}× the bound, CPU ${median(cpus).toFixed(1)} s (${range(cpus, 1)}), ` +
    `peak RSS ${median(rss).toFixed(0)} MB (${range(rss, 0)})`
}

/** Each build's medians, and the ratio of this build's median CPU and wall to the other's. */
const describeVersus = (runs: ReadonlyArray<Run>, others: ReadonlyArray<Run>, other: string) => {
  const cpu = median(runs.map((run) => run.cpuSeconds))
  const otherCpu = median(others.map((run) => run.cpuSeconds))
  const wall = median(runs.map((run) => run.wallSeconds))
  const otherWall = median(others.map((run) => run.wallSeconds))
  return [
    `  ${other} (alternating with the runs above):`,
    ...others.map(describeRun),
    others.length > 1 ? describeRuns(others) : "",
    `  this build / ${other}, medians of ${runs.length} alternating runs each: CPU ${cpu.toFixed(1)} / ` +
    `${otherCpu.toFixed(1)} s = ${(cpu / otherCpu).toFixed(2)}, wall ${wall.toFixed(1)} / ${otherWall.toFixed(1)} s = ` +
    `${(wall / otherWall).toFixed(2)}`
  ].filter((line) => line !== "")
}

const program = Effect.gen(function*() {
  const { described, source } = options.scale === 1
    ? { source: ["--preset", options.preset], described: `preset ${options.preset}` }
    : yield* scaledSource
  const lines = [
    `CLI sync: ${described}, ${options.latency} ms sandbox latency, connections on (node ${process.version}, ${options.cli})`
  ]
  const runs: Array<Run> = []
  const others: Array<Run> = []
  for (let i = 0; i < options.runs; i++) {
    const run = yield* syncOnce(source, options.concurrency)
    runs.push(run)
    lines.push(describeRun(run))
    if (options.bare) lines.push(describeBare(run, yield* bareOnce(source, options.concurrency)))
    if (options.vs !== undefined) others.push(yield* syncOnce(source, options.concurrency, options.vs))
  }
  if (runs.length > 1) lines.push(describeRuns(runs))
  if (options.vs !== undefined) lines.push(...describeVersus(runs, others, options.vs))
  const wall = median(runs.map((run) => run.wallSeconds))
  if (options.serial) {
    const serial = yield* syncOnce(source, 1)
    lines.push(
      describeRun(serial),
      `  speed-up of concurrency ${options.concurrency} over 1: ${(serial.wallSeconds / wall).toFixed(1)}×`
    )
  }
  lines.push(`  load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(", ")}`)
  yield* Console.log(lines.join("\n"))
})

NodeRuntime.runMain(program.pipe(Effect.scoped, Effect.provide(NodeContext.layer)))
