import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { logFields } from "./Harness.js"
import { manyRows, openExport } from "./HeldExports.js"
import { awaitSyncJob, runServiceOnce, sandboxServiceArgs, serviceProcessOver, startSyncJob } from "./ServiceProcess.js"

/**
 * An export whose client stops reading holds one of `--max-concurrent-exports`' slots while it is
 * sent. Before, it held it until the client hung up: a read-only token's holder with four unread
 * downloads had every export and the explorer's views refused (429) for as long as they liked. The
 * service now cuts an answer whose client has taken nothing of it for `--download-stall-timeout`
 * (60 s by default; 5 s here, from its variable, so the test does not wait out the minute).
 */

const Token = "stalled-exports-test-token-0123"

/**
 * `GET /v1/export`'s status, read whole and dropped. The asks, 5 s apart, go on fetch's pooled
 * connections, the first on the one the job's polls left idle: within the service's keep-alive
 * (65 s), which its 5 s, shorter than a loaded machine's delays, was not (IdleConnections.test.ts).
 */
const exportStatus = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(`${url}/v1/export`, { headers: { authorization: `Bearer ${Token}` } })
    await response.arrayBuffer()
    return response.status
  })

describe("an export whose client stops reading (the service process)", () => {
  it.scopedLive(
    "is cut once its client has taken nothing for --download-stall-timeout, which frees its slot; the line says why",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* fs.makeTempDirectoryScoped()
        const launch = yield* sandboxServiceArgs(Token)
        const service = yield* serviceProcessOver(dataDir, [...launch.args, "--log-format", "json", "--max-concurrent-exports", "1"], {
          env: { ...launch.env, BATON_HTTP_DOWNLOAD_STALL_TIMEOUT: "5s" }
        })
        const job = yield* startSyncJob(service, Token)
        yield* awaitSyncJob(service, Token, job.id, "succeeded")

        const held = yield* openExport(service.url, Token)
        assert.strictEqual(held.status, 200)
        // Listened for at once: the download closes while the test polls.
        const closed = new Promise<boolean>((resolve) => held.response.once("close", () => resolve(held.response.complete)))
        assert.strictEqual(yield* exportStatus(service.url), 429)

        // Asked every 5 s (the Retry-After) until served: the unread download's slot was freed.
        const status = yield* exportStatus(service.url).pipe(
          // Each answer passes through the schedule: the repeat ends with the status last answered.
          Effect.repeat(
            Schedule.identity<number>().pipe(
              Schedule.zipLeft(Schedule.spaced("5 seconds")),
              Schedule.untilInput((status) => status !== 429)
            )
          ),
          Effect.timeout("60 seconds"),
          Effect.orDie
        )
        assert.strictEqual(status, 200)
        // The held download was cut, not ended as a whole sheet: read now, what it holds ends without the last chunk.
        held.response.resume()
        assert.strictEqual(yield* Effect.promise(() => closed), false)
        const lines = (yield* service.stderr).split("\n").filter((line) => line.startsWith("{")).map(logFields)
        const cut = lines.filter((line) => line.route === "/v1/export" && line.outcome === "aborted")
        assert.deepStrictEqual(cut.map(({ error, status }) => ({ error, status })), [{
          error: "the client took no byte of the answer for 5 s: the service closed the connection",
          status: 200
        }])
        assert.strictEqual(yield* service.stop, 0)
      }).pipe(
        Effect.provide(Sandbox.layer({ snapshot: manyRows, port: 0 })),
        Effect.provide(NodeContext.layer)
      ),
    120_000
  )

  it.scopedLive(
    "--download-stall-timeout is refused at start-up outside 5s to 1h, naming the range it takes",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-download-stall-" })
        const refused = yield* runServiceOnce(["--sandbox", "--port", "0", "--download-stall-timeout", "2s"], { cwd: dir })
        assert.deepStrictEqual([refused.code, refused.stderr, refused.stdout], [
          2,
          "error: --download-stall-timeout: expected a duration from 5s to 1h, with a unit, such as 30s, 1m or 10m, got \"2s\"\n",
          ""
        ])
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )
})
