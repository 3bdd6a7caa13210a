import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { logFields } from "./Harness.js"
import { awaitSyncJob, sandboxServiceOver, startSyncJob, type SyncJobAnswer } from "./ServiceProcess.js"

/**
 * The service killed (SIGKILL, an OOM kill) while a sync writes its database, then started again on
 * the same data directory, as a Deployment's container restart does.
 */

const Token = "killed-sync-test-token-0123"

/** The c1z writer's scratch files of `id`'s sync: `.<id>.c1z.<pid>.<12 hex>.db` and the like. */
const scratchOf = (names: ReadonlyArray<string>, id: string) => names.filter((name) => name.startsWith(`.${id}.c1z.`))

describe("a sync killed mid-way", () => {
  it.scopedLive(
    "whose job record is gone leaves no scratch database after the restart, which says what it removed",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const sandbox = yield* Sandbox
        const dataDir = yield* fs.makeTempDirectoryScoped()
        const first = yield* sandboxServiceOver(dataDir, Token, ["--log-format", "json"])
        const headers = { authorization: `Bearer ${Token}` }
        // The sync waits for Fivetran's rate limit (10 minutes) with its database made: killed during the wait.
        yield* sandbox.setFaults({ rateLimitBurst: { requests: 100, retryAfterSeconds: 600 } })
        const job = yield* startSyncJob(first, Token)
        yield* awaitSyncJob(first, Token, job.id, "waiting_for_rate_limit")
        const exited = new Promise((resolve) => first.child.once("exit", resolve))
        first.child.kill("SIGKILL")
        yield* Effect.promise(() => exited)
        const scratch = scratchOf(yield* fs.readDirectory(dataDir), job.id)
        yield* fs.remove(`${dataDir}/${job.id}.json`)
        yield* sandbox.setFaults({})

        const second = yield* sandboxServiceOver(dataDir, Token, ["--log-format", "json"])
        const warnings = (yield* second.stderr).split("\n").filter((line) => line.startsWith("{")).map(logFields)
          .filter((line) => line.level === "warn" && line.msg !== "took over the data directory's lock")
        const listed = yield* Effect.promise(() =>
          fetch(`${second.url}/v1/syncs`, { headers }).then((r) => r.json() as Promise<{ items: ReadonlyArray<SyncJobAnswer> }>)
        )

        assert.deepStrictEqual(scratch.map((name) => name.replace(/\.[0-9]+\.[0-9a-f]{12}\./, ".PID.RANDOM.")), [
          `.${job.id}.c1z.PID.RANDOM.db`
        ])
        assert.deepStrictEqual(scratchOf(yield* fs.readDirectory(dataDir), job.id), [])
        assert.deepStrictEqual(warnings, [{
          level: "warn",
          msg: "removed the scratch files of syncs whose job has no record",
          files: scratch.join(", ")
        }])
        assert.deepStrictEqual(listed.items, [])
        assert.strictEqual(yield* second.stop, 0)
      }).pipe(
        Effect.provide(Sandbox.layer({ snapshot: generatePreset("small"), port: 0 })),
        Effect.provide(NodeContext.layer)
      ),
    120_000
  )
})
