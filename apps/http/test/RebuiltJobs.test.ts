import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { truncate } from "node:fs/promises"
import { logFields } from "./Harness.js"
import { awaitSyncJob, serviceProcessOver, startSyncJob } from "./ServiceProcess.js"

/**
 * A `.c1z` whose job record is gone (deleted by hand, lost in a crash), listed again from the file
 * at the next start, when that start cannot make the file's working copy in --temp-dir.
 */

const Token = "rebuilt-jobs-test-token-0123"
const args = ["--sandbox", "--port", "0", "--log-format", "json"]
/** The token as a deployment gives it, in a variable. */
const env = { BATON_HTTP_TOKENS: Token }
const headers = { authorization: `Bearer ${Token}` }

interface Job {
  readonly id: string
  readonly status: string
  readonly error: string | null
  readonly file_bytes: number | null
  readonly finished_at: string | null
}

const getJson = <A>(url: string) =>
  Effect.promise(() => fetch(url, { headers }).then(async (response) => [response.status, (await response.json()) as A] as const))

/** A data directory holding one succeeded sync's `.c1z`, its job record removed, and the service stopped. */
const syncWithoutRecord = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const dataDir = yield* fs.makeTempDirectoryScoped()
  const first = yield* serviceProcessOver(dataDir, args, { env })
  const started = yield* startSyncJob(first, Token)
  yield* awaitSyncJob(first, Token, started.id, "succeeded")
  assert.strictEqual(yield* first.stop, 0)
  yield* fs.remove(`${dataDir}/${started.id}.json`)
  return { dataDir, id: started.id, file: `${dataDir}/${started.id}.c1z` }
})

/** The start's warnings about its jobs, as JSON log fields. */
const jobWarnings = (stderr: string) =>
  stderr.split("\n").filter((line) => line.startsWith("{")).map(logFields).filter((line) => String(line.msg).startsWith("sync job "))

describe("a .c1z without its job record", () => {
  it.scopedLive(
    "is still a succeeded sync at a start whose --temp-dir is full, served once there is room, not failed and deleted",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const { dataDir, file, id } = yield* syncWithoutRecord
        const info = yield* fs.stat(file)

        // 100 KiB per file: the records fit, the sync's decompressed working copy does not (EFBIG), as on a full disk.
        const cramped = yield* serviceProcessOver(dataDir, args, { env, fileSizeLimitBlocks: 200 })
        const [, listed] = yield* getJson<{ items: ReadonlyArray<Job> }>(`${cramped.url}/v1/syncs`)
        const [queryStatus, query] = yield* getJson<{ error: string }>(`${cramped.url}/v1/resources?type=user`)
        const rebuilt = jobWarnings(yield* cramped.stderr)
        assert.strictEqual(yield* cramped.stop, 0)

        const roomy = yield* serviceProcessOver(dataDir, args, { env })
        const [afterStatus, after] = yield* getJson<{ sync_id: string }>(`${roomy.url}/v1/resources?type=user&page_size=1`)
        assert.strictEqual(yield* roomy.stop, 0)

        assert.deepStrictEqual(
          listed.items.map(({ error, file_bytes, finished_at, id, status }) => ({ error, file_bytes, finished_at, id, status })),
          [{
            id,
            status: "succeeded",
            error: null,
            file_bytes: Number(info.size),
            finished_at: info.mtime._tag === "Some" ? info.mtime.value.toISOString() : "(no mtime)"
          }]
        )
        assert.deepStrictEqual(
          rebuilt.map((line): Record<string, unknown> => ({ ...line, error: /EFBIG/.test(String(line.error)) ? "(EFBIG)" : line.error })),
          [{
            level: "warn",
            msg: "sync job listed as succeeded without reading its .c1z",
            job: id,
            job_status: "succeeded",
            reason: "it had no metadata file",
            error: "(EFBIG)"
          }]
        )
        assert.deepStrictEqual([queryStatus, query.error], [503, "StorageUnavailable"])
        assert.deepStrictEqual([afterStatus, after.sync_id], [200, id])
        assert.isTrue(yield* fs.exists(file))
      }).pipe(Effect.provide(NodeContext.layer)),
    180_000
  )
  it.scopedLive(
    "found damaged at the start is listed as failed, its warning saying so, not that the job was rebuilt from it",
    () =>
      Effect.gen(function*() {
        const { dataDir, file, id } = yield* syncWithoutRecord
        // Cut short, as a disk that lost its tail: zstd stops in the middle of a frame.
        yield* Effect.promise(() => truncate(file, 200))
        const restarted = yield* serviceProcessOver(dataDir, args, { env })
        const [, listed] = yield* getJson<{ items: ReadonlyArray<Job> }>(`${restarted.url}/v1/syncs`)
        const warnings = jobWarnings(yield* restarted.stderr)
        assert.strictEqual(yield* restarted.stop, 0)

        assert.deepStrictEqual(
          listed.items.map(({ error, file_bytes, finished_at, id, status }) => ({ error, file_bytes, finished_at, id, status })),
          [{
            id,
            status: "failed",
            error: "its metadata was lost and its .c1z cannot be read; the file is deleted with the older failed jobs",
            file_bytes: null,
            finished_at: null
          }]
        )
        // Was `sync job rebuilt from its .c1z`, reason `it had no metadata file`: the file gave nothing.
        assert.deepStrictEqual(warnings, [{
          level: "warn",
          msg: "sync job listed as failed",
          job: id,
          job_status: "failed",
          reason: "it had no metadata file, and its .c1z could not be read back",
          error: `${file}: the .c1z is damaged: the zstd stream cannot be decompressed (it ends in the middle of a frame; ` +
            "is the file truncated?) (write it again)"
        }])
      }).pipe(Effect.provide(NodeContext.layer)),
    180_000
  )
})
