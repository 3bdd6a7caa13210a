import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Schedule } from "effect"
import { sandboxServiceArgs, serviceProcessOver } from "./ServiceProcess.js"

/**
 * SIGTERM during a provisioning request that waits for Fivetran's rate limit: the stop ends it at
 * once, as it cancels a running sync, and no write is made. It used to hold the stop for the whole
 * wait (up to --max-rate-limit-wait), then make the write. (By default a wait past
 * --max-provisioning-wait is answered 429 at once: ProvisioningRateLimit.test.ts.) The bundled service against a sandbox in
 * this process, whose first answer is a 429 asking for ten minutes: the test's timeout is far
 * shorter, so a stop that waits fails it.
 */

const Token = "provisioning-stop-test-token"

const small = generatePreset("small")
const membership = small.user_groups[0]!
const grantId = `group:${membership.group_id}:${membership.role}:user:${membership.user_id}`

describe("a stop during a provisioning request's rate-limit wait", () => {
  it.scopedLive("answers it 503 ServiceStopping at once, and sends no write", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const dataDir = yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped())
      const launch = yield* sandboxServiceArgs(Token)
      const service = yield* serviceProcessOver(dataDir, [
        ...launch.args,
        "--provisioning",
        // Long enough that the 429's ten minutes are waited out, as before --max-provisioning-wait.
        "--max-provisioning-wait",
        "1h"
      ], { env: launch.env })
      yield* sandbox.clearRequestLog
      yield* sandbox.setFaults({ rateLimitBurst: { requests: 1, retryAfterSeconds: 600 } })
      const revoke = yield* Effect.promise(() =>
        fetch(`${service.url}/v1/grants/${encodeURIComponent(grantId)}`, {
          method: "DELETE",
          headers: { authorization: `Bearer ${Token}` }
        }).then(async (response) => ({
          status: response.status,
          retryAfter: response.headers.get("retry-after"),
          body: await response.json() as unknown
        }))
      ).pipe(Effect.fork)
      // The client logs each wait as it starts: the request is now held by the rate limit.
      yield* Effect.map(service.stderr, (stderr) => stderr.includes("before retrying")).pipe(
        Effect.repeat({ schedule: Schedule.spaced("50 millis"), until: (waiting) => waiting })
      )
      assert.strictEqual(yield* service.stop, 0)
      assert.deepStrictEqual(yield* Fiber.join(revoke), {
        status: 503,
        retryAfter: "1",
        body: { error: "ServiceStopping", message: "the service is stopping; send the request again once it runs" }
      })
      // The revoke's reads go out together; the one the sandbox answered 429 was never retried, and nothing was written.
      const log = yield* sandbox.requestLog
      assert.deepStrictEqual(
        [log.filter((entry) => entry.method !== "GET"), log.filter((entry) => entry.status === 429).length],
        [[], 1]
      )
    }).pipe(Effect.provide(Sandbox.layer({ snapshot: small, port: 0 })), Effect.provide(NodeContext.layer)), 30_000)
})
