import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { serviceProcessOver } from "./ServiceProcess.js"

/**
 * The cost every request pays in the service's runtime. The watch that cuts a stalled streamed
 * answer (StalledAnswers.ts) was forked for every request but a HEAD, though only a streamed body
 * (an export, a sync's file) can stall: each probe, scrape and query started two fibers, one of
 * them for nothing. It now starts with a streamed body only (StalledExports.test.ts: still cut).
 */

const Token = "request-fibers-test-token-0123"
const headers = { authorization: `Bearer ${Token}` }

/** `effect_fiber_started_total` as the service's /metrics gives it (the scrape's own fiber counted). */
const fibersStarted = (url: string) =>
  Effect.promise(async () => {
    const text = await fetch(`${url}/metrics`, { headers }).then((answer) => answer.text())
    return Number(/^effect_fiber_started_total (\d+)$/m.exec(text)?.[1])
  })

const served = (url: string, path: string) =>
  Effect.promise(() => fetch(`${url}${path}`, { headers }).then(async (answer) => [answer.status, (await answer.text()).length > 0]))

describe("the fibers a request starts (the service process)", () => {
  it.scopedLive("a request answered without a streamed body starts one fiber, its own", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dataDir = yield* fs.makeTempDirectoryScoped()
      const service = yield* serviceProcessOver(dataDir, ["--sandbox", "--port", "0"], { env: { BATON_HTTP_TOKENS: Token } })
      const paths = ["/healthz", "/v1/syncs", "/v1/schedule", "/v1/syncs/no-such-job", "/openapi.json"]
      // Once first: a route's first answer may start fibers of its own once (the OpenAPI document is built then).
      assert.deepStrictEqual(
        yield* Effect.forEach(paths, (path) => served(service.url, path)),
        [[200, true], [200, true], [200, true], [404, true], [200, true]]
      )
      const before = yield* fibersStarted(service.url)
      yield* Effect.forEach(Array.from({ length: 20 }, () => paths).flat(), (path) => served(service.url, path))
      // A hundred requests and the second scrape: 101 fibers (202 when each had its watch beside it).
      assert.strictEqual((yield* fibersStarted(service.url)) - before, 101)
      assert.strictEqual(yield* service.stop, 0)
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})
