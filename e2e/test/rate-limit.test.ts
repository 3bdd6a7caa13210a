import { C1zSink } from "@baton-fivetran/c1z"
import { SyncEngine, type SyncSummary } from "@baton-fivetran/connector-core"
import { FivetranClient, FivetranClientConfig, fivetranReserveWaitSeconds } from "@baton-fivetran/fivetran-client"
import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Layer, Metric, Option, Redacted, TestClock } from "effect"
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"

/**
 * The rate-limit budget on the TestClock: the real client and sync engine against the real
 * sandbox over loopback, with time moved by hand. A small sync costs 14 requests; a budget of 20
 * with the default 20% reserve (4) holds one sync, not two.
 */
const SmallSyncCost = 14
const snapshot = generatePreset("small")
const systemKey = snapshot.credentials.find((c) => c._tag === "SystemKey")!
const otherTool = snapshot.credentials.find((c) => c._tag === "UserKey")!

const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "e2e-rate-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

/** One client for the whole test, as the HTTP service keeps one: it remembers its own requests. */
const clientLayer = (maxRateLimitWaitSeconds = 3600) =>
  Layer.unwrapEffect(Effect.map(Sandbox, (sandbox) =>
    FivetranClient.layer(FivetranClientConfig.make({
      apiKey: Redacted.make(systemKey.key),
      apiSecret: Redacted.make(systemKey.secret),
      baseUrl: sandbox.baseUrl,
      maxRateLimitWaitSeconds
    }))))

const syncInto = (path: string) =>
  Effect.flatMap(SyncEngine, (engine) => engine.run({ syncConnections: false, concurrency: 4 })).pipe(
    Effect.provide(C1zSink.layer(path))
  )

/** Another tool of the account, spending the same budget with its own key. */
const otherToolRequest = Effect.gen(function*() {
  const sandbox = yield* Sandbox
  const response = yield* Effect.promise(() =>
    fetch(`${sandbox.baseUrl}/v1/account/info`, {
      headers: { authorization: `Basic ${Buffer.from(`${otherTool.key}:${otherTool.secret}`).toString("base64")}` }
    })
  )
  return response.status
})

const liveWait = (millis: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

/**
 * Waits (in real time) until the client holds a request back: a sleep on the TestClock longer than
 * the 30 s request timeouts, which also sleep there while requests are in flight.
 */
const awaitHeldBack = Effect.gen(function*() {
  for (let i = 0; i < 4000; i++) {
    const now = yield* TestClock.currentTimeMillis
    const sleeping = Chunk.findFirst(yield* TestClock.sleeps(), (at) => at - now > 60_000)
    if (Option.isSome(sleeping)) return sleeping.value - now
    yield* liveWait(5)
  }
  return yield* Effect.dieMessage("no request was held back")
})

const sandboxLayer = Sandbox.layer({ snapshot, port: 0, rateLimit: { hourly: 20 } })

describe("rate-limit budget (TestClock)", () => {
  it.scoped("two back-to-back syncs both succeed, the second after waiting; other callers are never refused", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const sandbox = yield* Sandbox
      const reserveWaitBefore = (yield* Metric.value(fivetranReserveWaitSeconds)).count
      const first: SyncSummary = yield* syncInto(join(dir, "first.c1z"))
      assert.deepStrictEqual([first.requests, first.rateLimitWaitMillis, first.rateLimitLowestRemaining], [SmallSyncCost, 0, 6])
      assert.strictEqual(yield* otherToolRequest, 200)

      const second = yield* Effect.fork(syncInto(join(dir, "second.c1z")))
      // One request fits above the reserve (5 left → 4); the next waits for the first sync's to expire.
      const heldFor = yield* awaitHeldBack
      assert.isTrue(heldFor > 0 && heldFor <= 3_600_000, `held for ${heldFor} ms`)
      assert.strictEqual(yield* otherToolRequest, 200)
      yield* TestClock.adjust(heldFor)
      const summary = yield* Fiber.join(second)
      assert.strictEqual(summary.requests, SmallSyncCost)
      assert.strictEqual(summary.rateLimitWaitMillis, heldFor)
      // Every request held back is metered; those held back together each count their own wait.
      const reserveWaited = (yield* Metric.value(fivetranReserveWaitSeconds)).count - reserveWaitBefore
      assert.isTrue(reserveWaited >= heldFor / 1000, `metered ${reserveWaited} s for a ${heldFor} ms wait`)
      assert.strictEqual(yield* otherToolRequest, 200)

      const log = yield* sandbox.requestLog
      assert.deepStrictEqual(log.filter((entry) => entry.status !== 200), [])
      const ours = log.filter((entry) => entry.path !== "/v1/account/info")
      assert.strictEqual(ours.length, 2 * SmallSyncCost)
      // Before the first sync's requests left the window, ours never took the budget below the reserve.
      const beforeExpiry = ours.slice(0, SmallSyncCost + 1)
      assert.isTrue(beforeExpiry.every((entry) => (entry.rateLimitRemaining ?? 0) >= 4), JSON.stringify(beforeExpiry))
    }).pipe(
      Effect.provide(SyncEngine.layer.pipe(Layer.provideMerge(clientLayer()), Layer.provideMerge(sandboxLayer))),
      Effect.provide(NodeContext.layer)
    ), 120_000)

  it.scoped(
    "a --max-rate-limit-wait too short fails cleanly: the previous file byte-identical, no temp file",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const file = join(dir, "sync.c1z")
        yield* syncInto(file)
        const before = yield* Effect.promise(() => readFile(file))
        const error = yield* Effect.flip(syncInto(file))
        assert.strictEqual(error._tag, "SyncFailed")
        assert.match(error.message, /that needs a wait of (59m \d+s|1h), longer than max-rate-limit-wait \(1m\)/)
        assert.deepStrictEqual(yield* Effect.promise(() => readFile(file)), before)
        assert.deepStrictEqual(yield* Effect.promise(() => readdir(dir)), ["sync.c1z"])
      }).pipe(
        Effect.provide(SyncEngine.layer.pipe(Layer.provideMerge(clientLayer(60)), Layer.provideMerge(sandboxLayer))),
        Effect.provide(NodeContext.layer)
      ),
    120_000
  )
})
