/**
 * Writes a synthetic sync with N grants to a .c1z and reports time and peak RSS.
 * Run one size per process so peak RSS is per size:
 *   cd bench && npx tsx src/c1z-write.ts 100000
 *   cd bench && npx tsx src/c1z-write.ts 1000000
 * With `npx tsx --expose-gc ...` it also forces a GC every 100,000 rows and reports the largest
 * live heap seen, which separates retained memory from garbage V8 has not collected yet.
 * With `--rows-only` it drains the same row stream without writing anything: the memory and time
 * the synthetic input costs on its own, to set against the writer's figures.
 * With `--lower-bound` it also loads the same rows the plainest way (@baton-fivetran/c1z/plain-load:
 * each row encoded by the writer's encoders into a buffer of its own and inserted with one prepared
 * statement, 1000 rows a transaction, into tables without any index, SQLite's default settings; no
 * Effect stream) and compresses that file as the writer does. So that neither side is favoured by going
 * first (JIT warm-up, a cold page cache), it runs lower bound, writer, lower bound, writer in this
 * one process (`--rounds N` pairs, default 2) and prints the best time of each and the writer's best
 * over the lower bound's best (`overLowerBound`). On a shared machine the wall times swing with the
 * load, so it also prints the same ratio of process CPU time (every thread: SQLite, zstd),
 * `cpuOverLowerBound`.
 */
import type { Entitlement, Grant, Resource, ResourceType, SyncRow } from "@baton-fivetran/connector-core"
import { writeC1z } from "@baton-fivetran/c1z"
import { compressDatabase, createTables, makePlainRowWriter } from "@baton-fivetran/c1z/plain-load"
import Database from "better-sqlite3"
import { NodeContext } from "@effect/platform-node"
import { Console, Effect, Stream } from "effect"
import { rm } from "node:fs/promises"
import { join } from "node:path"
import { tempDirectory } from "./TempDirectory.js"

const rowsOnly = process.argv.includes("--rows-only")
const lowerBound = process.argv.includes("--lower-bound")
const roundsAt = process.argv.indexOf("--rounds")
const rounds = roundsAt === -1 ? 2 : Number(process.argv[roundsAt + 1])
const grantCount = Number(process.argv.slice(2).find((arg, i, args) => !arg.startsWith("--") && args[i - 1] !== "--rounds") ?? "100000")
if (!Number.isInteger(grantCount) || grantCount <= 0 || !Number.isInteger(rounds) || rounds <= 0) {
  process.stderr.write("usage: npx tsx bench/src/c1z-write.ts <number of grants> [--rows-only | --lower-bound [--rounds N]]\n")
  process.exit(2)
}

const userType: ResourceType = { id: "user", displayName: "User", traits: ["USER"], annotations: [{ _tag: "SkipEntitlementsAndGrants" }] }
const groupType: ResourceType = { id: "group", displayName: "Group", traits: ["GROUP"], annotations: [] }
const teamType: ResourceType = { id: "team", displayName: "Team", traits: ["GROUP"], annotations: [] }

const groupCount = 100
const rolesPerGroup = 3
const entitlementCount = groupCount * rolesPerGroup
// Enough users that each (entitlement, user) pair, hence each grant id, is unique.
const userCount = Math.ceil(grantCount / entitlementCount) * 2

const user = (i: number): Resource => ({
  id: { resourceType: "user", resource: `user_${i}` },
  displayName: `User ${i}`,
  annotations: [{
    _tag: "UserTrait",
    emails: [{ address: `user${i}@example.com`, isPrimary: true }],
    status: { status: "ENABLED" },
    accountType: "HUMAN",
    login: `user${i}@example.com`,
    createdAt: "2024-01-02T03:04:05Z",
    structuredName: { givenName: "User", familyName: String(i) }
  }],
  status: { status: "ENABLED" },
  createdAt: "2024-01-02T03:04:05Z",
  profile: { id: `user_${i}`, email: `user${i}@example.com`, role: "Account Reviewer", active: true }
})

const group = (g: number): Resource => ({
  id: { resourceType: "group", resource: `group_${g}` },
  displayName: `Destination ${g}`,
  annotations: [{ _tag: "GroupTrait" }]
})

const entitlement = (e: number): Entitlement => {
  const g = Math.floor(e / rolesPerGroup)
  const slug = `Destination Role ${e % rolesPerGroup}`
  return {
    id: `group:group_${g}:${slug}`,
    resource: group(g),
    displayName: slug,
    grantableTo: [userType, teamType],
    purpose: "PERMISSION",
    slug,
    annotations: [{ _tag: "EntitlementExclusionGroup", exclusionGroupId: `group:group_${g}`, order: e % rolesPerGroup }]
  }
}

const entitlements = Array.from({ length: entitlementCount }, (_, e) => entitlement(e))

// Built like connector-core's grants (model/Grants.ts): one plain literal per shape, no conditional spread.
const grantRow = (i: number): SyncRow => {
  const ent = entitlements[i % entitlementCount]!
  const u = Math.floor(i / entitlementCount)
  const id = `${ent.id}:user:user_${u}`
  const principal = { id: { resourceType: "user", resource: `user_${u}` }, annotations: [] }
  const annotations: Grant["annotations"] = i % 10 === 0
    ? [{ _tag: "GrantExpandable", entitlementIds: [`team:team_${u % 50}:member`] }]
    : []
  const value: Grant = i % 7 === 0
    ? { id, entitlement: ent, principal, annotations, sources: { [`team:team_${u % 50}:member`]: { isDirect: false } } }
    : { id, entitlement: ent, principal, annotations }
  return { _tag: "GrantRow", value }
}

function* syntheticRows(): Generator<SyncRow> {
  yield { _tag: "ResourceTypeRow", value: userType }
  yield { _tag: "ResourceTypeRow", value: groupType }
  yield { _tag: "ResourceTypeRow", value: teamType }
  for (let i = 0; i < userCount; i++) yield { _tag: "ResourceRow", value: user(i) }
  for (let g = 0; g < groupCount; g++) yield { _tag: "ResourceRow", value: group(g) }
  for (const value of entitlements) yield { _tag: "EntitlementRow", value }
  for (let i = 0; i < grantCount; i++) yield grantRow(i)
}

const rows: Stream.Stream<SyncRow> = Stream.fromIterable({ [Symbol.iterator]: syntheticRows })

/** The same rows loaded plainly into index-free tables, then compressed; returns the seconds it took. */
const plainLoad = (dir: string) =>
  Effect.gen(function*() {
    const started = performance.now()
    const cpuAtStart = process.cpuUsage()
    const databasePath = join(dir, "plain.db")
    const db = new Database(databasePath)
    db.pragma("journal_mode = DELETE")
    db.pragma("synchronous = OFF")
    db.pragma("cache_size = -16384")
    for (const sql of createTables) db.exec(sql)
    const insertBatch = makePlainRowWriter(db, "plain")
    const at = "2026-01-01 00:00:00"
    let batch: Array<SyncRow> = []
    for (const row of syntheticRows()) {
      batch.push(row)
      if (batch.length === 1000) {
        insertBatch(batch, at)
        batch = []
      }
    }
    insertBatch(batch, at)
    db.close()
    yield* compressDatabase(databasePath, join(dir, "plain.c1z"))
    const elapsed = { seconds: (performance.now() - started) / 1000, cpuSeconds: cpuSecondsSince(cpuAtStart) }
    yield* Effect.promise(() => Promise.all([rm(databasePath), rm(join(dir, "plain.c1z"))]))
    return elapsed
  })

const gc = (globalThis as { gc?: () => void }).gc
let maxLiveHeap = 0
let maxLoadRss = 0
/** Called once per row, synchronously: a per-row Effect (Stream.tap) would itself allocate more than the writer. */
const sampleMemory = (n: number): void => {
  if (n % 10_000 === 0) maxLoadRss = Math.max(maxLoadRss, process.memoryUsage.rss())
  if (gc === undefined || n % 100_000 !== 0) return
  gc()
  maxLiveHeap = Math.max(maxLiveHeap, process.memoryUsage().heapUsed)
}

const seconds = (from: number, to: number) => Number(((to - from) / 1000).toFixed(1))
/** CPU time of the whole process (every thread: SQLite, zstd) since `start`. */
const cpuSecondsSince = (start: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(start)
  return (user + system) / 1e6
}

/** One write of the rows through writeC1z, with the time of the load (rows drained) and of the rest. */
const writerRun = (dir: string, name: string) =>
  Effect.gen(function*() {
    const started = performance.now()
    const cpuAtStart = process.cpuUsage()
    let seen = 0
    let loaded = started
    const counted = rows.pipe(
      Stream.mapChunks((chunk) => {
        for (let i = 0; i < chunk.length; i++) sampleMemory(++seen)
        return chunk
      }),
      Stream.ensuring(Effect.sync(() => (loaded = performance.now())))
    )
    const result = yield* writeC1z(join(dir, name), counted)
    const finished = performance.now()
    return {
      result,
      seconds: (finished - started) / 1000,
      cpuSeconds: cpuSecondsSince(cpuAtStart),
      loadSeconds: seconds(started, loaded),
      finishSeconds: seconds(loaded, finished)
    }
  })

const program = Effect.gen(function*() {
  const dir = yield* tempDirectory("c1z-bench-")
  if (rowsOnly) {
    const started = performance.now()
    let seen = 0
    yield* Stream.runDrain(Stream.mapChunks(rows, (chunk) => {
      for (let i = 0; i < chunk.length; i++) sampleMemory(++seen)
      return chunk
    }))
    yield* Console.log(JSON.stringify({
      rowsOnly: seen,
      seconds: seconds(started, performance.now()),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024)
    }))
    return
  }
  const bounds: Array<Effect.Effect.Success<ReturnType<typeof plainLoad>>> = []
  const writes: Array<Effect.Effect.Success<ReturnType<typeof writerRun>>> = []
  for (let round = 0; round < (lowerBound ? rounds : 1); round++) {
    if (lowerBound) {
      bounds.push(yield* plainLoad(dir))
    }
    writes.push(yield* writerRun(dir, `bench-${round}.c1z`))
  }
  const best = writes.reduce((a, b) => (b.seconds < a.seconds ? b : a))
  const { counts, bytes } = best.result
  const bound = lowerBound ? Math.min(...bounds.map((b) => b.seconds)) : undefined
  const boundCpu = Math.min(...bounds.map((b) => b.cpuSeconds))
  const bestCpu = Math.min(...writes.map((w) => w.cpuSeconds))
  yield* Console.log(JSON.stringify({
    grants: counts.grants,
    resources: counts.resources,
    entitlements: counts.entitlements,
    seconds: Number(best.seconds.toFixed(1)),
    cpuSeconds: Number(bestCpu.toFixed(1)),
    grantsPerSecond: Math.round(counts.grants / best.seconds),
    loadSeconds: best.loadSeconds,
    finishSeconds: best.finishSeconds,
    fileMiB: Number((bytes / 1024 / 1024).toFixed(1)),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    peakLoadRssMiB: Math.round(maxLoadRss / 1024 / 1024),
    ...(gc !== undefined ? { maxLiveHeapMiB: Math.round(maxLiveHeap / 1024 / 1024) } : {}),
    ...(bound !== undefined
      ? {
        writerRunsSeconds: writes.map((w) => Number(w.seconds.toFixed(1))),
        lowerBoundRunsSeconds: bounds.map((b) => Number(b.seconds.toFixed(1))),
        lowerBoundSeconds: Number(bound.toFixed(1)),
        lowerBoundCpuSeconds: Number(boundCpu.toFixed(1)),
        overLowerBound: Number((best.seconds / bound).toFixed(2)),
        cpuOverLowerBound: Number((bestCpu / boundCpu).toFixed(2))
      }
      : {})
  }))
})

Effect.runPromise(Effect.scoped(program).pipe(Effect.provide(NodeContext.layer))).catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`)
  process.exit(1)
})
