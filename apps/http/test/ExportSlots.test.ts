import { assert, describe, it, layer } from "@effect/vitest"
import { generate, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Effect, Layer, Schedule, type Scope } from "effect"
import { get, type IncomingHttpHeaders, type IncomingMessage } from "node:http"
import { harness, Harness, runSync, TestToken } from "./Harness.js"
import { getJson, pollUntil, ServiceToken, startService } from "./InProcess.js"

/**
 * `--max-concurrent-exports` against the real service: exports held open by clients that do not
 * read (the service's stream waits on the socket), a third refused, and a slot freed by a client
 * that hangs up mid-download.
 */

/**
 * Eight teams of 300-400 users, each team holding 30-40 groups: ~100,000 sheet rows (~15 MB of
 * CSV) from a sync of a few dozen requests. Far more than the loopback socket buffers hold, so an
 * unread download stays open; the small preset's sheet would be sent whole before the client read.
 */
const manyRows = generate({
  seed: 7,
  users: 400,
  groups: 40,
  teams: 8,
  connections: 0,
  customRoles: 0,
  groupsPerUser: { min: 0, max: 1 },
  connectionsPerUser: { min: 0, max: 0 },
  usersPerTeam: { min: 300, max: 400 },
  groupsPerTeam: { min: 30, max: 40 },
  connectionsPerTeam: { min: 0, max: 0 },
  invitedShare: 0,
  suspendedShare: 0,
  serviceAccountShare: 0,
  noAccountRoleShare: 0,
  deprecatedRoleShare: 0
})

interface OpenDownload {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly response: IncomingMessage
  readonly hangUp: Effect.Effect<void>
}

/** `GET /v1/export` with the body left unread: the answer's head only, the connection kept until the scope ends. */
const openExport = (baseUrl: string, token = TestToken): Effect.Effect<OpenDownload, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<OpenDownload>((resume) => {
      const request = get(`${baseUrl}/v1/export`, { headers: { authorization: `Bearer ${token}` }, agent: false }, (response) =>
        resume(Effect.succeed({
          status: response.statusCode ?? 0,
          headers: response.headers,
          response,
          hangUp: Effect.sync(() =>
            request.destroy()
          )
        })))
      request.on("error", (error) =>
        resume(Effect.die(error)))
    }),
    (download) => download.hangUp
  )

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

        const first = yield* openExport(baseUrl)
        const second = yield* openExport(baseUrl)
        assert.deepStrictEqual([first.status, second.status], [200, 200])
        assert.strictEqual(first.headers["content-type"], "text/csv; charset=utf-8")
        assert.strictEqual(yield* metric("baton_exports_streaming"), 2)

        const third = yield* openExport(baseUrl)
        assert.strictEqual(third.status, 429)
        assert.strictEqual(third.headers["retry-after"], "5")
        assert.strictEqual(third.headers["content-type"], "application/json")
        assert.deepStrictEqual(JSON.parse(yield* bodyOf(third.response)), {
          error: "TooManyExports",
          message: "the service is already streaming 2 access-review exports, as many as it runs at once " +
            "(--max-concurrent-exports); send this request again in 5 s",
          retry_after_seconds: 5
        })
        assert.strictEqual(yield* metric("baton_exports_refused_total"), 1)

        // The first client goes away mid-download: its slot is free again, and the next export is served.
        yield* first.hangUp
        yield* untilStreaming(1)
        const next = yield* openExport(baseUrl)
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
        message: "the service is already streaming 1 access-review export, as many as it runs at once " +
          "(--max-concurrent-exports); send this request again in 5 s",
        retry_after_seconds: 5
      })
    }).pipe(Effect.scoped, Effect.provide(Layer.merge(Sandbox.layer({ snapshot: manyRows, port: 0 }), NodeContext.layer))), 180_000)
})
