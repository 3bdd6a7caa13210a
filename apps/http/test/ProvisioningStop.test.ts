import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Schedule } from "effect"
import { sandboxServiceArgs, serviceProcessOver } from "./ServiceProcess.js"

/**
 * SIGTERM during a provisioning request that waits for Fivetran's rate limit, and an identical one
 * that joined its call: the stop ends both at once, as it cancels a running sync, each leaves its
 * audit line, and no write is made. It used to hold the stop for the whole wait (up to
 * --max-rate-limit-wait), then make the write. (By default a wait past --max-provisioning-wait is
 * answered 429 at once: ProvisioningRateLimit.test.ts.) The bundled service against a sandbox in
 * this process, whose first answer is a 429 asking for ten minutes: the test's timeout is far
 * shorter, so a stop that waits fails it.
 */

const Token = "provisioning-stop-test-token"

const small = generatePreset("small")
const membership = small.user_groups[0]!
const grantId = `group:${membership.group_id}:${membership.role}:user:${membership.user_id}`

const revokeOf = (url: string) =>
  Effect.promise(() =>
    fetch(`${url}/v1/grants/${encodeURIComponent(grantId)}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${Token}` }
    }).then(async (response) => ({
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
      requestId: response.headers.get("x-request-id"),
      body: await response.json() as unknown
    }))
  )

describe("a stop during a provisioning request's rate-limit wait", () => {
  it.scopedLive("answers it, and an identical request that joined it, 503 at once; audits both; no write", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const dataDir = yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped())
      const launch = yield* sandboxServiceArgs(Token)
      const service = yield* serviceProcessOver(dataDir, [
        ...launch.args,
        "--provisioning",
        // Long enough that the 429's ten minutes are waited out, as before --max-provisioning-wait.
        "--max-provisioning-wait",
        "1h",
        "--log-format",
        "json"
      ], { env: launch.env })
      yield* sandbox.clearRequestLog
      yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 600 } })
      // The second is identical: it joins the first's call (SingleFlight.ts) while that waits.
      const revokes = yield* Effect.fork(Effect.all([revokeOf(service.url), revokeOf(service.url)], { concurrency: 2 }))
      // The client logs each wait as it starts: the request is now held by the rate limit.
      yield* Effect.map(service.stderr, (stderr) => stderr.includes("before retrying")).pipe(
        Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: (waiting) => waiting })
      )
      assert.strictEqual(yield* service.stop, 0)
      const answers = yield* Fiber.join(revokes)
      for (const answer of answers) {
        assert.deepStrictEqual({ ...answer, requestId: typeof answer.requestId }, {
          status: 503,
          retryAfter: "1",
          requestId: "string",
          body: { error: "ServiceStopping", message: "the service is stopping; send the request again once it runs" }
        })
      }
      // Each request's audit line says it was interrupted; the one that joined names the call's request.
      const audit = (yield* service.stderr).split("\n").filter((line) => line.includes("\"provisioning action\""))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
      const fields = (
        line: Record<string, unknown> | undefined
      ) => [line?.["request_id"], line?.["outcome"], line?.["grant_id"], line?.["shared_request_id"] ?? null]
      const [first, second] = answers.map((answer) => answer.requestId)
      const leader = audit.some((line) => line["request_id"] === first && line["shared_request_id"] === undefined) ? first : second
      const joiner = leader === first ? second : first
      assert.deepStrictEqual(
        [leader, joiner].map((id) => fields(audit.find((line) => line["request_id"] === id))),
        [[leader, "interrupted", grantId, null], [joiner, "interrupted", grantId, leader]]
      )
      assert.strictEqual(audit.length, 2)
      // The revoke's reads go out together; the one the sandbox answered 429 was never retried, and nothing was written.
      const log = yield* sandbox.requestLog
      assert.deepStrictEqual(
        [log.filter((entry) => entry.method !== "GET"), log.filter((entry) => entry.status === 429).length],
        [[], 1]
      )
    }).pipe(Effect.provide(Sandbox.layer({ snapshot: small, port: 0 })), Effect.provide(NodeContext.layer)), 30_000)
})
