/**
 * Writes a synthetic sync with N grants to a .c1z and reports time and peak RSS.
 * Run one size per process so peak RSS is per size:
 *   cd bench && npx tsx src/c1z-write.ts 100000
 *   cd bench && npx tsx src/c1z-write.ts 1000000
 * With `npx tsx --expose-gc ...` it also forces a GC every 100,000 rows and reports the largest
 * live heap seen, which separates retained memory from garbage V8 has not collected yet.
 * With `--rows-only` it drains the same row stream without writing anything: the memory and time
 * the synthetic input costs on its own, to set against the writer's figures.
 * With `--lower-bound` it then loads the same rows a second time the plainest way (the writer's
 * prepared inserts, 1000 rows a transaction, into tables without any index; no Effect stream),
 * compresses that file as the writer does, and prints the writer's time over that lower bound.
 */
import type { Entitlement, Grant, Resource, ResourceType, SyncRow } from "@baton-fivetran/connector-core"
import { writeC1z } from "@baton-fivetran/c1z"
import { compressDatabase, createTables, makePlainRowWriter } from "@baton-fivetran/c1z/plain-load"
import Database from "better-sqlite3"
import { Console, Effect, Stream } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

const rowsOnly = process.argv.includes("--rows-only")
const lowerBound = process.argv.includes("--lower-bound")
const grantCount = Number(process.argv.slice(2).find((arg) => !arg.startsWith("--")) ?? "100000")
if (!Number.isInteger(grantCount) || grantCount <= 0) {
  process.stderr.write("usage: npx tsx bench/src/c1z-write.ts <number of grants> [--rows-only]\n")
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
    return (performance.now() - started) / 1000
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

const program = Effect.gen(function*() {
  const dir = yield* Effect.acquireRelease(
    Effect.promise(() => mkdtemp(join(tmpdir(), "c1z-bench-"))),
    (d) => Effect.promise(() => rm(d, { recursive: true, force: true }))
  )
  const started = performance.now()
  let seen = 0
  let loaded = started
  const counted = rows.pipe(
    Stream.mapChunks((chunk) => {
      for (let i = 0; i < chunk.length; i++) sampleMemory(++seen)
      return chunk
    }),
    Stream.ensuring(Effect.sync(() => (loaded = performance.now())))
  )
  if (rowsOnly) {
    yield* Stream.runDrain(counted)
    yield* Console.log(JSON.stringify({
      rowsOnly: seen,
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024)
    }))
    return
  }
  const result = yield* writeC1z(join(dir, "bench.c1z"), counted)
  const finished = performance.now()
  const seconds = (finished - started) / 1000
  const peakRssMiB = process.resourceUsage().maxRSS / 1024
  const bound = lowerBound ? yield* plainLoad(dir) : undefined
  yield* Console.log(JSON.stringify({
    grants: result.counts.grants,
    resources: result.counts.resources,
    entitlements: result.counts.entitlements,
    seconds: Number(seconds.toFixed(1)),
    grantsPerSecond: Math.round(result.counts.grants / seconds),
    loadSeconds: Number(((loaded - started) / 1000).toFixed(1)),
    finishSeconds: Number(((finished - loaded) / 1000).toFixed(1)),
    fileMiB: Number((result.bytes / 1024 / 1024).toFixed(1)),
    peakRssMiB: Math.round(peakRssMiB),
    peakLoadRssMiB: Math.round(maxLoadRss / 1024 / 1024),
    ...(gc !== undefined ? { maxLiveHeapMiB: Math.round(maxLiveHeap / 1024 / 1024) } : {}),
    ...(bound !== undefined
      ? { lowerBoundSeconds: Number(bound.toFixed(1)), overLowerBound: Number((seconds / bound).toFixed(2)) }
      : {})
  }))
})

Effect.runPromise(Effect.scoped(program)).catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`)
  process.exit(1)
})
