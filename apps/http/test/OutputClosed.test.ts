import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { serviceProcessOver } from "./ServiceProcess.js"

/**
 * The service's stdout and stderr may lose their reader (`2>&1 | head`, a log collector
 * restarting). It stopped at its next log line, exit 1, with its lock file left behind.
 */

const Token = "output-closed-test-token"

describe("stdout and stderr without a reader", () => {
  it.scopedLive(
    "the service serves on, logging into the void, and stops cleanly: exit 0, its lock file removed",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-output-closed-" })
        const service = yield* serviceProcessOver(dataDir, ["--sandbox", "--port", "0", "--log-format", "json"], {
          env: { BATON_HTTP_TOKENS: Token }
        })
        service.child.stdout!.destroy()
        service.child.stderr!.destroy()

        const statuses: Array<number> = []
        for (const path of ["/v1/syncs", "/v1/syncs", "/healthz"]) {
          // The unauthenticated requests are logged at warn: each is a write to the closed stderr.
          const response = yield* Effect.promise(() => fetch(`${service.url}${path}`))
          statuses.push(response.status)
        }
        const authorized = yield* Effect.promise(() => fetch(`${service.url}/v1/syncs`, { headers: { authorization: `Bearer ${Token}` } }))
        statuses.push(authorized.status)

        assert.deepStrictEqual(statuses, [401, 401, 200, 200])
        assert.strictEqual(yield* service.stop, 0)
        assert.deepStrictEqual((yield* fs.readDirectory(dataDir)).sort(), ["page-token.key", "tmp"])
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )
})
