import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { getJson, pollUntil, ServiceToken, startService } from "./InProcess.js"

/**
 * /readyz of a fresh service (new data directory, `--sync-every`) whose start-up sync meets an
 * account budget an earlier sync spent: the service as the process starts it, against a sandbox
 * whose budget is small and whose window is 10 minutes, so the waits outlast the test.
 */

interface Jobs {
  readonly items: ReadonlyArray<{ readonly status: string; readonly waiting: { readonly kind: string } | null }>
}

const snapshot = generatePreset("small")
const systemKey = snapshot.credentials.find((credential) => credential._tag === "SystemKey")!
const env = {
  BATON_API_KEY: systemKey._tag === "SystemKey" ? systemKey.key : "",
  BATON_API_SECRET: systemKey._tag === "SystemKey" ? systemKey.secret : "",
  BATON_HTTP_TOKENS: ServiceToken
}

const withSandbox = (hourly: number) =>
  Layer.merge(Sandbox.layer({ snapshot, port: 0, rateLimit: { hourly, windowSeconds: 600 } }), NodeContext.layer)

/** A service of its own (its data directory, its client) against the sandbox, until the scope closes. */
const service = (args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const { baseUrl } = yield* Sandbox
    const fs = yield* FileSystem.FileSystem
    const dataDir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-ready-" })
    return yield* startService(["--port", "0", "--data-dir", dataDir, "--base-url", baseUrl, "--log-level", "warn", ...args], env)
  })

/** The earlier sync: a service spending the budget down to nothing kept in reserve, stopped once its sync is done or waits. */
const earlierSync = (until: (jobs: Jobs) => boolean) =>
  Effect.scoped(Effect.gen(function*() {
    const url = yield* service(["--rate-limit-reserve", "0"])
    assert.strictEqual((yield* getJson(`${url}/v1/syncs`, { method: "POST" })).status, 202)
    yield* pollUntil<Jobs>(`${url}/v1/syncs`, until)
  }))

const accountInfoRequests = Effect.map(
  Effect.flatMap(Sandbox, (sandbox) => sandbox.requestLog),
  (log) => log.filter((entry) => entry.path === "/v1/account/info").length
)

describe("/readyz of a fresh service whose first sync waits for the rate limit", () => {
  it.live("is ready once any answer from Fivetran accepted the key, while its sync waits for the reserve", () =>
    Effect.gen(function*() {
      // 20 requests an hour: the earlier sync (14) leaves 6, and this service keeps 4 (20%) in reserve.
      yield* earlierSync((jobs) => jobs.items[0]?.status === "succeeded")
      const url = yield* service(["--sync-every", "1h"])
      yield* pollUntil<Jobs>(`${url}/v1/syncs`, (jobs) =>
        jobs.items[0]?.status === "waiting_for_rate_limit" && jobs.items[0].waiting?.kind === "reserve")
      // With the service's token: without one, a probe is told only that it is ready.
      const probe = yield* Effect.promise(() =>
        fetch(`${url}/readyz`, { headers: { authorization: `Bearer ${ServiceToken}` } })
          .then(async (r) => ({ status: r.status, body: await r.json() }))
      )
      assert.deepStrictEqual(probe, {
        status: 200,
        body: {
          status: "ready",
          account_id: null,
          account_name: null,
          message: "Fivetran accepted the configured key (a request of this service succeeded); the account is named once " +
            "GET /v1/account/info is sent, after the rate-limit wait"
        }
      })
      // The probe spent nothing of the budget the sync waits for.
      assert.strictEqual(yield* accountInfoRequests, 0)
    }).pipe(Effect.scoped, Effect.provide(withSandbox(20))), 120_000)

  it.live("is 503 while no answer from Fivetran has shown the key to work (the first request met a 429)", () =>
    Effect.gen(function*() {
      // 10 requests an hour: the earlier sync spends all of them and waits; this service's first request is refused.
      yield* earlierSync((jobs) => jobs.items[0]?.status === "waiting_for_rate_limit")
      const url = yield* service(["--sync-every", "1h"])
      yield* pollUntil<Jobs>(`${url}/v1/syncs`, (jobs) =>
        jobs.items[0]?.status === "waiting_for_rate_limit" && jobs.items[0].waiting?.kind === "rate-limited")
      const probe = yield* Effect.promise(() =>
        fetch(`${url}/readyz`).then(async (r) => ({ status: r.status, body: await r.json() }))
      )
      assert.deepStrictEqual(probe, {
        status: 503,
        body: {
          error: "NotReady",
          message: "waiting for Fivetran's rate limit, and no answer from Fivetran has shown the configured key to work " +
            "yet; ask again later"
        }
      })
      assert.strictEqual(yield* accountInfoRequests, 0)
    }).pipe(Effect.scoped, Effect.provide(withSandbox(10))), 120_000)
})
