import { assert, describe, it, layer } from "@effect/vitest"
import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Effect, Layer, Schedule } from "effect"
import type { IncomingMessage } from "node:http"
import { harness, Harness, runSync, TestToken } from "./Harness.js"
import { manyRows, openExport } from "./HeldExports.js"
import { getJson, pollUntil, ServiceToken, startService } from "./InProcess.js"

/**
 * `--max-concurrent-exports` against the real service: exports held open by clients that do not
 * read (the service's stream waits on the socket), a third refused, and a slot freed by a client
 * that hangs up mid-download.
 */

const bodyOf = (response: IncomingMessage) =>
  Effect.async<string>((resume) => {
    const chunks: Array<Buffer> = []
    response.on("data", (chunk: Buffer) => chunks.push(chunk))
    response.on("end", () => resume(Effect.succeed(Buffer.concat(chunks).toString("utf8"))))
  })

/** One sample of the service's /metrics. */
const metric = (name: string) =>
  Effect.gen(function*() {
    const { request } = yield* Harness
    const text = yield* Effect.orDie((yield* request("GET", "/metrics", { token: TestToken })).text)
    const line = text.split("\n").find((l) => l.startsWith(`${name} `))
    return line === undefined ? undefined : Number(line.slice(name.length + 1))
  })

/** Until the service has seen a hung-up download end (its gauge reads `n`): no fixed wait, a poll of /metrics. */
const untilStreaming = (n: number) =>
  metric("baton_exports_streaming").pipe(
    Effect.repeat({ until: (value) => value === n, schedule: Schedule.spaced("20 millis") })
  )

layer(harness({ snapshot: manyRows, maxConcurrentExports: 2 }), { excludeTestServices: true, timeout: 180_000 })(
  "GET /v1/export with --max-concurrent-exports 2",
  (it) => {
    it.scoped("two downloads stream, a third is refused 429 with Retry-After, and a hung-up one frees its slot", () =>
      Effect.gen(function*() {
        const { baseUrl } = yield* Harness
        assert.strictEqual((yield* runSync).status, "succeeded")
        const refusedBefore = yield* metric("baton_exports_refused_total")
        assert.strictEqual(refusedBefore, 0)

        const first = yield* openExport(baseUrl, TestToken)
        const second = yield* openExport(baseUrl, TestToken)
        assert.deepStrictEqual([first.status, second.status], [200, 200])
        assert.strictEqual(first.headers["content-type"], "text/csv; charset=utf-8")
        assert.strictEqual(yield* metric("baton_exports_streaming"), 2)

        const third = yield* openExport(baseUrl, TestToken)
        assert.strictEqual(third.status, 429)
        assert.strictEqual(third.headers["retry-after"], "5")
        assert.strictEqual(third.headers["content-type"], "application/json")
        assert.deepStrictEqual(JSON.parse(yield* bodyOf(third.response)), {
          error: "TooManyExports",
          message: "the service is already streaming 2 sheet exports, as many as it runs at once " +
            "(--max-concurrent-exports); send this request again in 5 s",
          retry_after_seconds: 5
        })
        assert.strictEqual(yield* metric("baton_exports_refused_total"), 1)

        // The first client goes away mid-download: its slot is free again, and the next export is served.
        yield* first.hangUp
        yield* untilStreaming(1)
        const next = yield* openExport(baseUrl, TestToken)
        assert.strictEqual(next.status, 200)
        assert.strictEqual(yield* metric("baton_exports_streaming"), 2)
        assert.strictEqual(yield* metric("baton_exports_refused_total"), 1)
      }))
  }
)

const systemKey = manyRows.credentials.find((credential) => credential._tag === "SystemKey")!

describe("BATON_HTTP_MAX_CONCURRENT_EXPORTS", () => {
  it.live("is the service's bound: at 1, a second export is refused while the first streams", () =>
    Effect.gen(function*() {
      const { baseUrl: fivetran } = yield* Sandbox
      const dataDir = yield* (yield* FileSystem.FileSystem).makeTempDirectoryScoped({ prefix: "baton-http-exports-" })
      const url = yield* startService(["--port", "0", "--data-dir", dataDir, "--base-url", fivetran, "--log-level", "warn"], {
        BATON_API_KEY: systemKey._tag === "SystemKey" ? systemKey.key : "",
        BATON_API_SECRET: systemKey._tag === "SystemKey" ? systemKey.secret : "",
        BATON_HTTP_TOKENS: ServiceToken,
        BATON_HTTP_MAX_CONCURRENT_EXPORTS: "1"
      })
      assert.strictEqual((yield* getJson(`${url}/v1/syncs`, { method: "POST" })).status, 202)
      yield* pollUntil<{ readonly items: ReadonlyArray<{ readonly status: string }> }>(
        `${url}/v1/syncs`,
        (jobs) => jobs.items[0]?.status === "succeeded"
      )
      const first = yield* openExport(url, ServiceToken)
      assert.strictEqual(first.status, 200)
      const second = yield* openExport(url, ServiceToken)
      assert.strictEqual(second.status, 429)
      assert.deepStrictEqual(JSON.parse(yield* bodyOf(second.response)), {
        error: "TooManyExports",
        message: "the service is already streaming 1 sheet export, as many as it runs at once " +
          "(--max-concurrent-exports); send this request again in 5 s",
        retry_after_seconds: 5
      })
    }).pipe(Effect.scoped, Effect.provide(Layer.merge(Sandbox.layer({ snapshot: manyRows, port: 0 }), NodeContext.layer))), 180_000)
})
