import { C1zSink, openC1z } from "@baton-fivetran/c1z"
import { SyncEngine } from "@baton-fivetran/connector-core"
import { FivetranClient, FivetranClientConfig } from "@baton-fivetran/fivetran-client"
import { type FaultOptions, generatePreset, type PresetName, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Exit, Layer, Logger, LogLevel, Redacted, Stream } from "effect"
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

/**
 * The fault matrix: seeded, fault-injected syncs of the sandbox, each checked against the
 * fault-free sync of the same snapshot. A run either writes exactly the same rows, or fails with a
 * clear error and leaves the previous output file byte-identical, with no temporary file beside
 * it. Each fault alone and all mixed; `FAULT_MATRIX_RUNS` sets the number of runs (default 40,
 * the bench script `bench/src/fault-matrix.ts` runs hundreds) and the tally is printed.
 */

const runs = Number(process.env["FAULT_MATRIX_RUNS"] ?? "40")

type Profile = "5xx" | "429 burst" | "dropped" | "truncated" | "malformed" | "slow body" | "latency spikes" | "mixed"
const profiles: ReadonlyArray<Profile> = [
  "5xx",
  "429 burst",
  "dropped",
  "truncated",
  "malformed",
  "slow body",
  "latency spikes",
  "mixed"
]

/** The faults of run `i`: its profile, with a share that varies with the seed. */
const faultsOf = (i: number): { readonly profile: Profile; readonly faults: FaultOptions } => {
  const profile = profiles[i % profiles.length]!
  const seed = 12_000 + i
  const share = [0.02, 0.06, 0.12][Math.floor(i / profiles.length) % 3]!
  switch (profile) {
    case "5xx":
      return { profile, faults: { seed, serverErrorShare: share } }
    case "429 burst":
      // Five or more 429s in a row exhaust the client's five attempts on one call: a clear failure.
      return { profile, faults: { seed, rateLimitBurst: { requests: 1 + (i % 7), retryAfterSeconds: 0 } } }
    case "dropped":
      return { profile, faults: { seed, dropShare: share } }
    case "truncated":
      return { profile, faults: { seed, truncatedShare: share } }
    case "malformed":
      return { profile, faults: { seed, malformedShare: share } }
    case "slow body":
      return { profile, faults: { seed, slowBody: { share: share * 3, chunkBytes: 512, chunkDelayMillis: 1 } } }
    case "latency spikes":
      return { profile, faults: { seed, latency: { minMillis: 0, maxMillis: 25 } } }
    case "mixed":
      return {
        profile,
        faults: {
          seed,
          serverErrorShare: share / 2,
          dropShare: share / 2,
          truncatedShare: share / 2,
          malformedShare: share / 2,
          slowBody: { share, chunkBytes: 512, chunkDelayMillis: 1 },
          latency: { minMillis: 0, maxMillis: 10 },
          rateLimitBurst: { requests: 2, retryAfterSeconds: 0 }
        }
      }
  }
}

/** Every row of a sync file, as sorted JSON lines, so two files compare row for row. */
const rowsOf = (path: string) =>
  Effect.gen(function*() {
    const reader = yield* openC1z(path)
    const lines = (stream: Stream.Stream<{ readonly value: unknown }, unknown>, kind: string) =>
      Effect.map(Stream.runCollect(stream), (rows) => Chunk.toReadonlyArray(rows).map((row) => `${kind} ${JSON.stringify(row.value)}`))
    const all = [
      ...(yield* lines(Stream.map(reader.resourceTypes, (value) => ({ value })), "type")),
      ...(yield* lines(reader.resources(), "resource")),
      ...(yield* lines(reader.entitlements(), "entitlement")),
      ...(yield* lines(reader.grants(), "grant"))
    ]
    return all.sort()
  }).pipe(Effect.scoped, Effect.orDie)

interface Tally {
  identical: number
  failedClean: number
  faults: number
}

const sync = (baseUrl: string, key: { key: string; secret: string }, file: string, syncConnections: boolean) => {
  const client = FivetranClient.layer(FivetranClientConfig.make({
    apiKey: Redacted.make(key.key),
    apiSecret: Redacted.make(key.secret),
    baseUrl,
    backoffBaseMillis: 1,
    requestTimeoutSeconds: 10
  }))
  return Effect.flatMap(SyncEngine, (engine) => engine.run({ syncConnections, concurrency: 8 })).pipe(
    Effect.provide(Layer.mergeAll(SyncEngine.layer.pipe(Layer.provide(client)), C1zSink.layer(file))),
    Logger.withMinimumLogLevel(LogLevel.None)
  )
}

/** `runCount` runs over one preset's sandbox; returns the tally by profile. */
const matrix = (preset: PresetName, first: number, runCount: number, syncConnections: boolean) =>
  Effect.gen(function*() {
    const dir = yield* Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "fault-matrix-"))),
      (path) => Effect.promise(() => rm(path, { recursive: true, force: true }))
    )
    const sandbox = yield* Sandbox
    const state = yield* sandbox.snapshot
    const credential = state.credentials.find((c) => c._tag === "SystemKey")!
    const key = { key: credential.key, secret: credential.secret }

    const baselineFile = join(dir, "baseline.c1z")
    yield* sync(sandbox.baseUrl, key, baselineFile, syncConnections)
    const baseline = yield* rowsOf(baselineFile)
    assert.isAbove(baseline.length, 50)

    // The previous output of each run: any file; a failed run must leave these bytes as they are.
    const outDir = join(dir, "out")
    const target = join(outDir, "sync.c1z")
    const previous = Buffer.from(`previous sync file of the ${preset} matrix\n`)
    yield* Effect.promise(() => rm(outDir, { recursive: true, force: true }))
    yield* Effect.promise(() => mkdir(outDir))

    const tally = new Map<Profile, Tally>()
    const failures: Array<string> = []
    for (let i = first; i < first + runCount; i++) {
      const { faults, profile } = faultsOf(i)
      yield* Effect.promise(() => writeFile(target, previous))
      yield* sandbox.clearRequestLog
      yield* sandbox.setFaults(faults)
      const exit = yield* Effect.exit(sync(sandbox.baseUrl, key, target, syncConnections))
      yield* sandbox.setFaults({})
      const injected = (yield* sandbox.requestLog).filter((entry) => entry.fault !== null).length
      const counts = tally.get(profile) ?? { identical: 0, failedClean: 0, faults: 0 }
      counts.faults += injected
      const label = `run ${i} (${preset}, ${profile}, seed ${faults.seed})`
      if (Exit.isSuccess(exit)) {
        assert.deepStrictEqual(yield* rowsOf(target), baseline, `${label}: the rows differ from the fault-free sync`)
        counts.identical++
      } else {
        const message = Cause.pretty(exit.cause).split("\n")[0] ?? ""
        const error = Cause.failureOption(exit.cause)
        assert.isTrue(error._tag === "Some", `${label}: not a typed failure but ${Cause.pretty(exit.cause)}`)
        const text = error._tag === "Some" && error.value instanceof Error ? error.value.message : ""
        assert.isAbove(text.length, 10, `${label}: the error says what failed (${message})`)
        assert.notInclude(text, key.secret, label)
        const after = yield* Effect.promise(() => readFile(target))
        assert.isTrue(after.equals(previous), `${label}: the previous file changed after a failed sync`)
        counts.failedClean++
        failures.push(`${label}: ${text}`)
      }
      assert.deepStrictEqual(
        yield* Effect.promise(() => readdir(outDir)),
        ["sync.c1z"],
        `${label}: a temporary file was left beside the output`
      )
      tally.set(profile, counts)
    }
    return { tally, failures }
  }).pipe(Effect.provide(Sandbox.layer({ snapshot: generatePreset(preset), port: 0 })))

const report = (preset: PresetName, tally: ReadonlyMap<Profile, Tally>) =>
  Array.from(
    tally,
    ([profile, t]) =>
      `  ${preset.padEnd(6)} ${profile.padEnd(15)} runs ${t.identical + t.failedClean}, faults injected ${t.faults}, ` +
      `identical rows ${t.identical}, failed cleanly ${t.failedClean}`
  ).join("\n")

describe("fault matrix", () => {
  // Most runs on `small` with connections (every endpoint, fast); a tenth on `medium` without
  // connections (about 1,500 requests each, so more faults per run, but seconds per run).
  const mediumRuns = Math.max(1, Math.floor(runs / 10))
  const smallRuns = runs - mediumRuns

  it.scopedLive(
    `${runs} seeded fault-injected syncs: identical rows, or a clear failure with the previous file intact`,
    () =>
      Effect.gen(function*() {
        const small = yield* matrix("small", 0, smallRuns, true)
        const medium = yield* matrix("medium", smallRuns, mediumRuns, false)
        const all = [...small.tally.values(), ...medium.tally.values()]
        const total = (pick: (t: Tally) => number) => all.reduce((sum, t) => sum + pick(t), 0)
        yield* Effect.logWarning([
          `fault matrix: ${runs} runs, ${total((t) => t.faults)} faults injected, ` +
          `${total((t) => t.identical)} identical to the fault-free sync, ${total((t) => t.failedClean)} failed cleanly`,
          report("small", small.tally),
          report("medium", medium.tally),
          ...[...small.failures, ...medium.failures].map((line) => `  ${line}`)
        ].join("\n"))
        assert.strictEqual(total((t) => t.identical + t.failedClean), runs)
        assert.isAbove(total((t) => t.faults), runs, "faults were injected")
        assert.isAbove(total((t) => t.identical), 0, "some runs recovered through retries")
      }).pipe(Effect.provide(NodeContext.layer)),
    600_000
  )
})
