import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { logFields } from "./Harness.js"
import { serviceProcessOver } from "./ServiceProcess.js"

/**
 * A `.c1z` whose job record is gone (deleted by hand, lost in a crash), listed again from the file
 * at the next start, when that start cannot make the file's working copy in --temp-dir.
 */

const Token = "rebuilt-jobs-test-token-0123"
const args = ["--sandbox", "--port", "0", "--token", Token, "--log-format", "json"]
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

describe("a .c1z without its job record", () => {
  it.scopedLive(
    "is still a succeeded sync at a start whose --temp-dir is full, served once there is room, not failed and deleted",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* fs.makeTempDirectoryScoped()
        const first = yield* serviceProcessOver(dataDir, args)
        const started = yield* Effect.promise(() =>
          fetch(`${first.url}/v1/syncs`, { method: "POST", headers }).then((r) => r.json() as Promise<Job>)
        )
        yield* getJson<Job>(`${first.url}/v1/syncs/${started.id}`).pipe(
          Effect.repeat({ schedule: Schedule.spaced("100 millis"), until: ([, job]) => job.status === "succeeded" }),
          Effect.timeout("60 seconds"),
          Effect.orDie
        )
        assert.strictEqual(yield* first.stop, 0)
        const file = `${dataDir}/${started.id}.c1z`
        const info = yield* fs.stat(file)
        yield* fs.remove(`${dataDir}/${started.id}.json`)

        // 100 KiB per file: the records fit, the sync's decompressed working copy does not (EFBIG), as on a full disk.
        const cramped = yield* serviceProcessOver(dataDir, args, { fileSizeLimitBlocks: 200 })
        const [, listed] = yield* getJson<{ items: ReadonlyArray<Job> }>(`${cramped.url}/v1/syncs`)
        const [queryStatus, query] = yield* getJson<{ error: string }>(`${cramped.url}/v1/resources?type=user`)
        const rebuilt = (yield* cramped.stderr).split("\n").filter((line) => line.startsWith("{")).map(logFields)
          .filter((line) => line.msg === "sync job rebuilt from its .c1z")
        assert.strictEqual(yield* cramped.stop, 0)

        const roomy = yield* serviceProcessOver(dataDir, args)
        const [afterStatus, after] = yield* getJson<{ sync_id: string }>(`${roomy.url}/v1/resources?type=user&page_size=1`)
        assert.strictEqual(yield* roomy.stop, 0)

        assert.deepStrictEqual(
          listed.items.map(({ error, file_bytes, finished_at, id, status }) => ({ error, file_bytes, finished_at, id, status })),
          [{
            id: started.id,
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
            msg: "sync job rebuilt from its .c1z",
            job: started.id,
            status: "succeeded",
            reason: "it had no metadata file",
            error: "(EFBIG)"
          }]
        )
        assert.deepStrictEqual([queryStatus, query.error], [503, "StorageUnavailable"])
        assert.deepStrictEqual([afterStatus, after.sync_id], [200, started.id])
        assert.isTrue(yield* fs.exists(file))
      }).pipe(Effect.provide(NodeContext.layer)),
    180_000
  )
})
