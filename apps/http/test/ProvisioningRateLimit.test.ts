import { generatePreset } from "@baton-fivetran/fivetran-sandbox"
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { awaitStatus, harness, Harness, runSync, TestToken } from "./Harness.js"

/**
 * A provisioning request that Fivetran's rate limit would hold past --max-provisioning-wait (30 s
 * by default) is answered 429 RateLimited with Retry-After at once, and nothing more is sent. It
 * used to wait up to --max-rate-limit-wait (1 h), long after its caller and any proxy between had
 * given up, and then make the write. A sync's waits keep max-rate-limit-wait.
 */

const small = generatePreset("small")
const membership = small.user_groups[0]!
const grantId = `group:${membership.group_id}:${membership.role}:user:${membership.user_id}`

const revoke = Effect.gen(function*() {
  const { request } = yield* Harness
  const response = yield* request("DELETE", `/v1/grants/${encodeURIComponent(grantId)}`, { token: TestToken })
  return {
    status: response.status,
    retryAfter: response.headers["retry-after"],
    body: (yield* Effect.orDie(response.json)) as Record<string, unknown>
  }
})

/** The cap as an error names it: whole, or (a slow machine took a second of it) what is left of it. */
const CapShown = "(max-provisioning-wait \\(30\\.0s\\)|what is left of max-provisioning-wait \\(\\d+\\.\\ds\\))"

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** What a refusal before any write adds: nothing changed, and a repeat is safe. */
const nothingChanged = "nothing was changed in Fivetran (no write reached it, or Fivetran turned it away); " +
  "sending the same request again is safe"

const writes = Effect.flatMap(
  Harness,
  ({ sandbox }) => Effect.map(sandbox.requestLog, (log) => log.filter((entry) => entry.method !== "GET").map((entry) => entry.path))
)

layer(harness({ provisioning: true, snapshot: small, maxAttempts: 3 }), { excludeTestServices: true, timeout: 60_000 })(
  "a provisioning request whose 429 asks for longer than --max-provisioning-wait",
  (it) => {
    it.effect("is answered 429 RateLimited with its Retry-After at once, writing nothing; a sync still waits it out", () =>
      Effect.gen(function*() {
        const { client, sandbox } = yield* Harness
        yield* sandbox.clearRequestLog
        yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 600 } })
        const answer = yield* revoke
        const refused = (yield* sandbox.requestLog).filter((entry) => entry.status === 429).map((entry) => `GET ${entry.path}`)
        assert.strictEqual(refused.length, 1)
        assert.deepStrictEqual({ ...answer, body: { ...answer.body, message: undefined } }, {
          status: 429,
          retryAfter: "600",
          body: { error: "RateLimited", message: undefined, retry_after_seconds: 600 }
        })
        assert.match(
          answer.body.message as string,
          new RegExp(
            `^${
              escaped(`cannot revoke ${grantId}: ${refused[0]}: Fivetran answered 429 with Retry-After 600s`)
            }; that needs a wait of 10m, longer than ${CapShown}: raise it or retry later; ${escaped(nothingChanged)}$`
          )
        )
        assert.deepStrictEqual(yield* writes, [])
        // The contract declares the header on each provisioning endpoint's 429.
        const { request } = yield* Harness
        const document = (yield* Effect.orDie(
          Effect.flatMap(request("GET", "/openapi.json", { token: TestToken }), (response) => response.json)
        )) as { readonly paths: Record<string, Record<string, { readonly responses: Record<string, { readonly headers?: object }> }>> }
        const declared = [["/v1/grants", "post"], ["/v1/grants/{grant_id}", "delete"], ["/v1/accounts", "post"], [
          "/v1/resources/{type}/{id}",
          "delete"
        ]].map(([path, method]) => Object.keys(document.paths[path!]![method!]!.responses["429"]?.headers ?? {}))
        assert.deepStrictEqual(declared, Array(4).fill(["Retry-After", "X-Request-Id"]))
        assert.isTrue(
          (yield* sandbox.snapshot).user_groups.some((row) => row.user_id === membership.user_id && row.group_id === membership.group_id)
        )

        // The cap is the provisioning requests': a sync meeting the same answer waits the 10 minutes.
        yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 600 } })
        const job = yield* Effect.orDie(client.syncs.start())
        const waiting = yield* awaitStatus(job.id, (j) => j.status === "waiting_for_rate_limit")
        assert.deepStrictEqual(
          [waiting.waiting?.kind, waiting.waiting?.reason],
          ["rate-limited", "Fivetran answered 429 with Retry-After 600s"]
        )
        yield* Effect.orDie(client.syncs.cancel({ path: { id: job.id } }))
      }).pipe(Effect.ensuring(Effect.flatMap(Harness, ({ sandbox }) => sandbox.setFaults({})))))
  }
)

layer(
  harness({ provisioning: true, snapshot: small, rateLimit: { hourly: 20, windowSeconds: 3_600 } }),
  { excludeTestServices: true, timeout: 60_000 }
)("a provisioning request held back by the reserve for longer than --max-provisioning-wait", (it) => {
  it.effect("is answered 429 RateLimited with the wait until the window frees a request, sending nothing more", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      // small's sync takes 14 of the 20 requests an hour; 4 are the reserve: 2 are left.
      const synced = yield* runSync
      assert.deepStrictEqual([synced.status, synced.summary?.requests], ["succeeded", 14])
      yield* sandbox.clearRequestLog
      const answer = yield* revoke
      const sent = (yield* sandbox.requestLog).length
      assert.strictEqual(sent, 2)
      assert.deepStrictEqual(yield* writes, [])
      assert.strictEqual(answer.status, 429)
      assert.strictEqual(answer.body.error, "RateLimited")
      const seconds = answer.body.retry_after_seconds as number
      // The window frees the sync's first request an hour after it was sent, a few seconds ago.
      assert.isTrue(seconds > 3_500 && seconds <= 3_600, `retry after ${seconds}s`)
      assert.strictEqual(answer.retryAfter, String(seconds))
      assert.match(
        answer.body.message as string,
        new RegExp(
          `^cannot revoke ${grantId}: GET /v1/\\S+: the account's rate-limit budget is down to ~4 of 20 requests, the 4 kept ` +
            "in reserve for other tools \\(rate-limit-reserve 20%\\); that needs a wait of (59m \\d+s|1h), longer than " +
            `${CapShown}: raise it or retry later; ${escaped(nothingChanged)}$`
        )
      )
    }))
})
