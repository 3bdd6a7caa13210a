import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { type RunningService, sandboxServiceArgs, serviceProcessOver } from "./ServiceProcess.js"
import { syncNow, tempDir } from "./support/ExplorerBrowser.js"

/**
 * `fivetran_rate_limit_limit` of the bundled service: the account's requests per window, from
 * Fivetran's `X-Rate-Limit`, beside `fivetran_rate_limit_remaining`, so that docs/deploy.md's alert
 * reads the share left (`remaining / limit < 0.05`) whatever the account's plan. Like the remaining
 * count, absent until an answer has carried it.
 */

const Token = "rate-limit-limit-test-token"

/** A trial account's budget, not Fivetran's paid 20,000: the gauge is the account's, not a default. */
const hourly = 500

const budgetLines = (service: RunningService) =>
  Effect.promise(() => fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${Token}` } }).then((r) => r.text())).pipe(
    Effect.map((text) => text.split("\n").filter((line) => line.startsWith("fivetran_rate_limit_")))
  )

describe("fivetran_rate_limit_limit", () => {
  it.scopedLive(
    "absent before any request to Fivetran; after a sync, the account's X-Rate-Limit beside what is left",
    () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox
        const dataDir = yield* tempDir("rate-limit-limit-")
        const launch = yield* sandboxServiceArgs(Token)
        // One request at a time: the gauge holds the last answer's count, and answers of requests in
        // flight together may arrive in another order than Fivetran counted them (486 then 487).
        const service = yield* serviceProcessOver(dataDir, [...launch.args, "--concurrency", "1"], { env: launch.env })
        assert.deepStrictEqual(yield* budgetLines(service), [])

        yield* syncNow({ url: service.url, token: Token, sandboxUrl: sandbox.baseUrl })
        const requests = (yield* sandbox.requestLog).length
        assert.deepStrictEqual(yield* budgetLines(service), [
          `fivetran_rate_limit_limit ${hourly}`,
          `fivetran_rate_limit_remaining ${hourly - requests}`
        ])
      }).pipe(
        Effect.provide(Sandbox.layer({ snapshot: generatePreset("small"), port: 0, rateLimit: { hourly } })),
        Effect.provide(NodeContext.layer)
      ),
    120_000
  )
})
