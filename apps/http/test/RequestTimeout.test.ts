import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { awaitSyncJob, runServiceOnce, startSyncJob } from "./ServiceProcess.js"
import { serviceOverSilentFivetran } from "./SilentFivetran.js"

/**
 * The service's client had a fixed 30 s timeout per attempt, 5 attempts a call: a sync against a
 * Fivetran (or a proxy) that took the connection and never answered failed after about 2 min 39 s,
 * naming no setting. `--request-timeout` sets it, as the CLI's does, and the error names it.
 */

const Token = "request-timeout-test-token-0123"

describe("--request-timeout (the service process)", () => {
  it.scopedLive(
    "bounds each of a sync's 5 attempts against a Fivetran that never answers; the job's error names it",
    () =>
      Effect.gen(function*() {
        const { fivetran, service } = yield* serviceOverSilentFivetran(Token, ["--request-timeout", "1s"])
        const started = yield* startSyncJob(service, Token)
        const failed = yield* awaitSyncJob(service, Token, started.id, ["failed", "succeeded"])
        assert.deepStrictEqual([failed.status, failed.error], [
          "failed",
          "could not list roles: GET /v1/roles: could not reach Fivetran: no complete response within request-timeout (1.0s); " +
          "gave up after 5 attempts"
        ])
        assert.deepStrictEqual(yield* fivetran.requestLines, Array(5).fill("GET /v1/roles?limit=1000 HTTP/1.1"))
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive("is refused at start-up with the range it takes", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-timeout-" })
      const refused = yield* runServiceOnce(["--sandbox", "--port", "0", "--request-timeout", "0s"], { cwd: dir })
      assert.deepStrictEqual([refused.code, refused.stderr, refused.stdout], [
        2,
        "error: --request-timeout: expected a duration from 1s to 10m, with a unit, such as 10s, 30s or 2m, got \"0s\"\n",
        ""
      ])
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})
