import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"
import { connectionFlags, smallAccount } from "./support/Sandboxes.js"

/**
 * The CLI's progress line in JSON logs, through the bundle against a sandbox whose first answer is
 * a 429 with Retry-After 4 s, with `--progress-log-interval 1s`: the sync is waiting while the lines
 * are due (at the default 30s it would end with none). Its counts are fields named as the service's
 * `sync job progress` line names them, and its `msg` is fixed, as is the wait's own line's: a `msg`
 * with the time left in it matched no alert or query.
 */

const waitingSandbox = Layer.merge(
  Sandbox.layer({ snapshot: smallAccount, port: 0, faults: { rateLimitBurst: { requests: 1, retryAfterSeconds: 4 } } }),
  NodeContext.layer
)

describe("the progress line in JSON logs", () => {
  it.scopedLive("carries phase, counts and the wait as fields, as the service's sync job progress does", () =>
    Effect.gen(function*() {
      const { flags } = yield* connectionFlags
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-progress-" })
      const result = yield* runCli([...flags, "-f", `${dir}/out.c1z`, "--log-format", "json", "--progress-log-interval", "1s"])
      assertExit(result, 0)
      const lines = logFields(result.stderr)
      // A line a second through a wait of 4: at least two (a tick late to the wait, or one as it ends, may not be among them).
      const progress = lines.filter((line) => line.msg === "sync progress" && line.waiting_until !== undefined)
      assert.isAtLeast(progress.length, 2)
      const { c1z_sync_id: syncId, waiting_until: waitingUntil } = progress[0]!
      assert.match(String(syncId), /^[0-9A-Za-z]{27}$/)
      // One `msg` however long the wait has left: the sentence a console shows has its time in it.
      assert.deepStrictEqual(
        progress,
        progress.map(() => ({
          level: "info",
          msg: "sync progress",
          c1z_sync_id: syncId,
          phase: "roles",
          resources: 0,
          entitlements: 0,
          grants: 0,
          requests: 1,
          waiting_until: waitingUntil,
          waiting_reason: "Fivetran answered 429 with Retry-After 4s"
        }))
      )
      assert.match(String(waitingUntil), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      // The wait's own line: a fixed `msg`, its length, end and reason as fields, the end the progress line's.
      const waits = lines.filter((line) => line.wait_kind !== undefined)
      assert.deepStrictEqual(waits, [{
        level: "warn",
        msg: "waiting before retrying a request",
        c1z_sync_id: syncId,
        endpoint: "GET /v1/roles",
        wait_kind: "rate_limited",
        wait_ms: 4_000,
        wait_until: waitingUntil,
        wait_reason: "Fivetran answered 429 with Retry-After 4s"
      }])
    }).pipe(Effect.provide(waitingSandbox)), { timeout: 60_000 })
})
