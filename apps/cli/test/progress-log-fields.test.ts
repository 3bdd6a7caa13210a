import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { assertExit, logFields, runCli } from "./support/CliProcess.js"
import { connectionFlags, smallAccount } from "./support/Sandboxes.js"

/**
 * The CLI's every-30-s progress line in JSON logs, through the bundle against a sandbox whose first
 * answer is a 429 with Retry-After 35 s: the sync is still waiting when the line is due. Its counts
 * are fields named as the service's `sync job progress` line names them, not only `msg`'s text.
 */

const waitingSandbox = Layer.merge(
  Sandbox.layer({ snapshot: smallAccount, port: 0, faults: { rateLimitBurst: { requests: 1, retryAfterSeconds: 35 } } }),
  NodeContext.layer
)

describe("the progress line in JSON logs", () => {
  it.scopedLive("carries phase, counts and the wait as fields, as the service's sync job progress does", () =>
    Effect.gen(function*() {
      const { flags } = yield* connectionFlags
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-progress-" })
      const result = yield* runCli([...flags, "-f", `${dir}/out.c1z`, "--log-format", "json"])
      assertExit(result, 0)
      const progress = logFields(result.stderr).filter((line) => String(line.msg).startsWith("syncing roles:"))
      assert.strictEqual(progress.length, 1)
      const { c1z_sync_id: syncId, msg, waiting_until: waitingUntil, ...fields } = progress[0]!
      assert.match(String(syncId), /^[0-9A-Za-z]{27}$/)
      assert.deepStrictEqual(fields, {
        level: "info",
        phase: "roles",
        resources: 0,
        entitlements: 0,
        grants: 0,
        requests: 1,
        waiting_reason: "Fivetran answered 429 with Retry-After 35s"
      })
      assert.match(
        String(msg),
        /^syncing roles: 0 resources, 0 entitlements, 0 grants, 1 requests; ~3 requests left; waiting \d+\.\ds for the rate limit \(until \d\d:\d\d:\d\dZ\): Fivetran answered 429 with Retry-After 35s$/
      )
      // The wait's end in full, the time the text shows to the second.
      assert.match(String(waitingUntil), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      assert.strictEqual(String(waitingUntil).slice(11, 19), /\(until (\d\d:\d\d:\d\d)Z\)/.exec(String(msg))?.[1])
    }).pipe(Effect.provide(waitingSandbox)), { timeout: 120_000 })
})
