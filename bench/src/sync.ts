/**
 * Syncs the `large` sandbox account into a .c1z with the real client, every request delayed by
 * 20 ms (sandbox latency fault), and prints wall time, requests and peak RSS. The sandbox runs in
 * a child process, so the peak RSS is the sync's own (engine + client + .c1z writer). Run one
 * configuration per process (build first: pnpm --filter @baton-fivetran/c1z... build):
 *   npx tsx bench/src/sync.ts --concurrency 8 --connections
 *   npx tsx bench/src/sync.ts --concurrency 1 --connections
 * Options: --concurrency N (default 8), --connections (opt-in connection access),
 * --preset small|medium|large (default large), --latency MILLIS (default 20).
 * Peak RSS depends on how lazily V8 collects (it grows the heap while there is room), so the bench
 * also prints the heap limit and the largest heap in use. To check that memory stays bounded, run
 * it again with the sync's heap capped (the sandbox child is not capped) and report both figures:
 *   NODE_OPTIONS=--max-old-space-size=128 npx tsx bench/src/sync.ts --connections
 */
import { C1zSink } from "@baton-fivetran/c1z"
import { SyncEngine, type SyncProgress } from "@baton-fivetran/connector-core"
import { FivetranClient, FivetranClientConfig } from "@baton-fivetran/fivetran-client"
import { generatePreset, PresetName, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Clock, Console, Context, Effect, Layer, Redacted, Schema } from "effect"
import { fork } from "node:child_process"
import { stat } from "node:fs/promises"
import { loadavg } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { getHeapStatistics } from "node:v8"
import { tempDirectory } from "./TempDirectory.js"

const argument = (name: string): string | undefined => {
  const index = process.argv.indexOf(`--${name}`)
  return index < 0 ? undefined : process.argv[index + 1]
}

const Options = Schema.Struct({
  concurrency: Schema.NumberFromString.pipe(Schema.int(), Schema.positive()),
  latency: Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()),
  preset: PresetName,
  connections: Schema.Boolean,
  serve: Schema.Boolean
})

const options = Schema.decodeUnknownSync(Options)({
  concurrency: argument("concurrency") ?? "8",
  latency: argument("latency") ?? "20",
  preset: argument("preset") ?? "large",
  connections: process.argv.includes("--connections"),
  serve: process.argv.includes("--serve")
})

/** What the sandbox process tells the bench process. */
const Ready = Schema.Struct({ baseUrl: Schema.String, key: Schema.String, secret: Schema.String })
const Stats = Schema.Struct({
  requests: Schema.Number,
  statuses: Schema.Record({ key: Schema.String, value: Schema.Number }),
  peakRssMb: Schema.Number,
  cpuSeconds: Schema.Number
})

/** CPU time (user + system) of this process so far: unlike wall time, not stretched by other load on the machine. */
const cpuSeconds = () => {
  const { system, user } = process.cpuUsage()
  return Math.round((user + system) / 1e5) / 10
}

const heapLimitMb = Math.round(getHeapStatistics().heap_size_limit / 1e6)
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024)

/**
 * The largest heap in use, sampled every 100 ms: what the sync holds plus garbage not yet
 * collected. Peak RSS alone overstates what is held, as V8 grows the heap lazily when there is room.
 */
const sampleHeap = Effect.acquireRelease(
  Effect.sync(() => {
    const peak = { heapUsedMb: 0 }
    const sample = () => {
      peak.heapUsedMb = Math.max(peak.heapUsedMb, Math.round(process.memoryUsage().heapUsed / 1e6))
    }
    const timer = setInterval(sample, 100)
    timer.unref()
    return { peak, timer }
  }),
  ({ timer }) => Effect.sync(() => clearInterval(timer))
)

/** Child process: serve the preset with fixed latency until the parent goes away; answer "stats". */
const serve = Effect.gen(function*() {
  const snapshot = generatePreset(options.preset)
  const context = yield* Layer.build(Sandbox.layer({
    snapshot,
    port: 0,
    faults: { latency: { minMillis: options.latency, maxMillis: options.latency } },
    rateLimit: { hourly: 1_000_000 }
  }))
  const sandbox = Context.get(context, Sandbox)
  const key = snapshot.credentials.find((c) => c._tag === "SystemKey")!
  const cpuAtReady = cpuSeconds()
  process.on("message", (message) => {
    if (message !== "stats") return
    Effect.runPromise(sandbox.requestLog).then((log) => {
      const statuses: Record<string, number> = {}
      for (const entry of log) statuses[entry.status] = (statuses[entry.status] ?? 0) + 1
      process.send!(
        Schema.encodeSync(Stats)({ requests: log.length, statuses, peakRssMb: peakRssMb(), cpuSeconds: cpuSeconds() - cpuAtReady })
      )
    })
  })
  process.on("disconnect", () => process.exit(0))
  process.send!(Schema.encodeSync(Ready)({ baseUrl: sandbox.baseUrl, key: key.key, secret: key.secret }))
  return yield* Effect.never
})

const nextMessage = <A, I>(child: ReturnType<typeof fork>, schema: Schema.Schema<A, I>) =>
  Effect.async<A, Error>((resume) => {
    const onMessage = (message: unknown) => {
      child.off("exit", onExit)
      resume(Schema.decodeUnknown(schema)(message).pipe(Effect.mapError((e) => new Error(String(e)))))
    }
    const onExit = (code: number | null) => resume(Effect.fail(new Error(`sandbox process exited (${code})`)))
    child.once("message", onMessage)
    child.once("exit", onExit)
  })

/** Parent process: start the sandbox child, sync into a temporary .c1z, report. */
const bench = Effect.gen(function*() {
  const child = yield* Effect.acquireRelease(
    // The sandbox gets no heap cap given to the bench (NODE_OPTIONS=--max-old-space-size=...).
    Effect.sync(() =>
      fork(fileURLToPath(import.meta.url), [...process.argv.slice(2), "--serve"], {
        stdio: "inherit",
        env: { ...process.env, NODE_OPTIONS: "" }
      })
    ),
    (child) => Effect.sync(() => child.kill())
  )
  const ready = yield* nextMessage(child, Ready)
  const dir = yield* tempDirectory("bench-sync-")
  const file = join(dir, "sync.c1z")
  const client = FivetranClient.layer(FivetranClientConfig.make({
    apiKey: Redacted.make(ready.key),
    apiSecret: Redacted.make(ready.secret),
    baseUrl: ready.baseUrl
  }))
  const baseline = peakRssMb()
  const cpuBefore = cpuSeconds()
  const heap = yield* sampleHeap
  const started = yield* Clock.currentTimeMillis
  let lastPhase = ""
  const onProgress = (p: SyncProgress) =>
    p.phase === lastPhase ? Effect.void : Effect.gen(function*() {
      lastPhase = p.phase
      const at = ((yield* Clock.currentTimeMillis) - started) / 1000
      const heap = Math.round(process.memoryUsage().heapUsed / 1e6)
      yield* Console.error(
        `  ${at.toFixed(1).padStart(6)} s  ${p.phase} (requests so far: ${p.requests}, heap used ${heap} MB, peak RSS ${peakRssMb()} MB)`
      )
    })

  const summary = yield* Effect.flatMap(
    SyncEngine,
    (engine) => engine.run({ syncConnections: options.connections, concurrency: options.concurrency, onProgress })
  ).pipe(
    Effect.provide(Layer.mergeAll(SyncEngine.layer.pipe(Layer.provide(client)), C1zSink.layer(file)))
  )
  const wall = (yield* Clock.currentTimeMillis) - started
  const cpu = cpuSeconds() - cpuBefore
  const size = (yield* Effect.promise(() => stat(file))).size
  child.send("stats")
  const sandbox = yield* nextMessage(child, Stats)

  yield* Console.log([
    `preset ${options.preset}, ${options.latency} ms latency, concurrency ${options.concurrency}, connections ${
      options.connections ? "on" : "off"
    }`,
    `  wall time        ${(wall / 1000).toFixed(1)} s (load average ${loadavg().map((l) => l.toFixed(2)).join(", ")} at the end)`,
    `  CPU time         ${cpu.toFixed(1)} s in the sync process; ${sandbox.cpuSeconds.toFixed(1)} s in the sandbox process (serving)`,
    `  requests         ${summary.requests} (sandbox saw ${sandbox.requests}, statuses ${
      JSON.stringify(sandbox.statuses)
    }); retries ${summary.retries}`,
    `  rows             ${
      Object.entries(summary.resources).map(([t, n]) => `${n} ${t}`).join(", ")
    }; ${summary.entitlements} entitlements; ` +
    `${summary.grants.direct} direct + ${summary.grants.derived} derived grants`,
    `  .c1z             ${(size / 1e6).toFixed(1)} MB`,
    `  peak RSS (sync)  ${peakRssMb()} MB (${baseline} MB before the sync; sandbox process ${sandbox.peakRssMb} MB); ` +
    `heap limit ${heapLimitMb} MB, largest heap used ${heap.peak.heapUsedMb} MB (sampled every 100 ms)`,
    `  warnings         ${summary.warnings.length === 0 ? "none" : summary.warnings.join("; ")}`
  ].join("\n"))
})

const program: Effect.Effect<void, unknown, NodeContext.NodeContext> = options.serve ? Effect.scoped(serve) : Effect.scoped(bench)
NodeRuntime.runMain(program.pipe(Effect.provide(NodeContext.layer)))
