import { lastSuccessfulSync } from "@baton-fivetran/connector-core"
import { FileSystem, Path } from "@effect/platform"
import { assert, layer } from "@effect/vitest"
import { Effect, Metric, Schema } from "effect"
import { SyncJob } from "@baton-fivetran/http-api"
import { harness, Harness, runSync, TestToken } from "./Harness.js"
import { TestCaller } from "./TestCaller.js"

/**
 * A kept sync whose `.c1z` was damaged after its sync wrote it (cut short by hand or by a restore
 * from a partial backup) while its metadata still says succeeded.
 */

const unreadableError = "its .c1z could not be read back (damaged or removed since the sync wrote it); " +
  "queries read the newest sync that can be read, and the file is deleted with the older failed jobs"

layer(harness({ keepSyncs: 2 }), { excludeTestServices: true, timeout: 60_000 })("a damaged .c1z", (it) => {
  it.effect("fails its job at the first query, which is answered from the newest sync that can be read", () =>
    Effect.gen(function*() {
      const { dataDir } = yield* Harness
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const older = yield* runSync
      const newest = yield* runSync
      const dir = yield* fs.makeTempDirectoryScoped()
      for (const job of [older, newest]) {
        yield* fs.writeFileString(path.join(dir, `${job.id}.json`), JSON.stringify(job))
        yield* fs.copyFile(path.join(dataDir, `${job.id}.c1z`), path.join(dir, `${job.id}.c1z`))
      }
      const damaged = path.join(dir, `${newest.id}.c1z`)
      yield* fs.truncate(damaged, 5000)

      const restarted = yield* Effect.gen(function*() {
        const service = yield* Harness
        const gaugeAtStart = (yield* Metric.value(lastSuccessfulSync)).value
        // Concurrent first queries: each is answered from the older sync; the job is failed once.
        const pages = yield* Effect.forEach(
          Array.from({ length: 8 }),
          () =>
            Effect.flatMap(
              service.request("GET", "/v1/resources?type=user&page_size=2", { token: TestToken }),
              (response) => Effect.map(Effect.orDie(response.json), (body) => [response.status, (body as { sync_id: string }).sync_id])
            ),
          { concurrency: "unbounded" }
        )
        const diff = yield* service.request("GET", `/v1/syncs/${newest.id}/diff?base=${older.id}`, { token: TestToken })
        return {
          gauges: [gaugeAtStart, (yield* Metric.value(lastSuccessfulSync)).value],
          pages,
          job: yield* service.client.syncs.get({ path: { id: newest.id } }),
          diff: [diff.status, yield* Effect.orDie(diff.json)],
          logs: yield* service.logs
        }
      }).pipe(Effect.provide(harness({ dataDir: dir, keepSyncs: 2 })))

      // The stale-sync alert's gauge follows the sync that is served, as a restart would set it.
      assert.deepStrictEqual(restarted.gauges, [Date.parse(newest.finished_at!) / 1000, Date.parse(older.finished_at!) / 1000])
      assert.deepStrictEqual(restarted.pages, Array.from({ length: 8 }, () => [200, older.id]))
      const failed: SyncJob = { ...newest, status: "failed", error: unreadableError, file_bytes: null }
      assert.deepStrictEqual(restarted.job, failed)
      assert.deepStrictEqual(restarted.diff, [404, {
        error: "NotFound",
        message: `sync ${newest.id} has no file: it is failed`
      }])
      // Under the request id of the query that found it.
      assert.deepStrictEqual(restarted.logs.map(({ request_id, ...line }) => [typeof request_id, line]), [["string", {
        level: "warn",
        msg: "sync job listed as failed",
        caller: TestCaller,
        job: newest.id,
        reason: "its .c1z could not be read back",
        error: `${damaged}: the .c1z is damaged: the zstd stream cannot be decompressed ` +
          "(it ends in the middle of a frame; is the file truncated?) (write it again)"
      }]])
      assert.deepStrictEqual(
        Schema.decodeUnknownSync(Schema.parseJson(SyncJob))(yield* fs.readFileString(path.join(dir, `${newest.id}.json`))),
        failed
      )
    }).pipe(Effect.scoped, Effect.orDie))

  it.effect("when the only kept sync cannot be read, queries say so, not that no sync has finished yet", () =>
    Effect.gen(function*() {
      const { dataDir } = yield* Harness
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const only = yield* runSync
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(path.join(dir, `${only.id}.json`), JSON.stringify(only))
      yield* fs.copyFile(path.join(dataDir, `${only.id}.c1z`), path.join(dir, `${only.id}.c1z`))
      yield* fs.truncate(path.join(dir, `${only.id}.c1z`), 5000)

      const query = Effect.flatMap(
        Harness,
        ({ request }) =>
          Effect.flatMap(
            request("GET", "/v1/resources?type=user", { token: TestToken }),
            (response) => Effect.map(Effect.orDie(response.json), (body) => [response.status, body])
          )
      )
      // The query that finds the file damaged, one after it, and one after a restart (from the stored job).
      const answers = [
        ...(yield* Effect.all([query, query]).pipe(Effect.provide(harness({ dataDir: dir })))),
        yield* query.pipe(Effect.provide(harness({ dataDir: dir })))
      ]

      const noReadableSync = {
        error: "NotFound",
        message: "no sync can be read: the only kept sync that succeeded could not be read back (the .c1z was damaged " +
          "or removed since the sync wrote it), so its job is listed as failed now; start a new sync with POST /v1/syncs " +
          "and wait for it to succeed"
      }
      assert.deepStrictEqual(answers, [[404, noReadableSync], [404, noReadableSync], [404, noReadableSync]])
    }).pipe(Effect.scoped, Effect.orDie))

  it.effect("a page token of a sync found damaged after a restart is the same 404 each time, not a 400 saying it is no longer kept", () =>
    Effect.gen(function*() {
      const { dataDir, request } = yield* Harness
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const older = yield* runSync
      const newest = yield* runSync
      const first = yield* request("GET", "/v1/grants?page_size=5", { token: TestToken })
      const token = ((yield* Effect.orDie(first.json)) as { readonly next_page_token: string }).next_page_token
      const dir = yield* fs.makeTempDirectoryScoped()
      for (const job of [older, newest]) {
        yield* fs.writeFileString(path.join(dir, `${job.id}.json`), JSON.stringify(job))
        yield* fs.copyFile(path.join(dataDir, `${job.id}.c1z`), path.join(dir, `${job.id}.c1z`))
      }
      // The key the page tokens are sealed with, so that the restarted service takes this one.
      yield* fs.copyFile(path.join(dataDir, "page-token.key"), path.join(dir, "page-token.key"))
      yield* fs.truncate(path.join(dir, `${newest.id}.c1z`), 5000)

      const page = Effect.flatMap(
        Harness,
        (service) =>
          Effect.flatMap(
            service.request("GET", `/v1/grants?page_size=5&page_token=${encodeURIComponent(token)}`, { token: TestToken }),
            (response) => Effect.map(Effect.orDie(response.json), (body) => [response.status, body])
          )
      )
      const answers = yield* Effect.all([page, page]).pipe(Effect.provide(harness({ dataDir: dir, keepSyncs: 2 })))
      const cannotBeRead = {
        error: "NotFound",
        message: `sync ${newest.id} cannot be read: its .c1z was damaged or removed since the sync wrote it, ` +
          "so it is listed as failed now; queries without page_token read the newest sync that can be read"
      }
      assert.deepStrictEqual(answers, [[404, cannotBeRead], [404, cannotBeRead]])
    }).pipe(Effect.scoped, Effect.orDie))

  it.effect("a .c1z cut short or removed is not downloaded: 404 saying so, and its job is failed", () =>
    Effect.gen(function*() {
      const { client, dataDir, logs, request } = yield* Harness
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const truncated = yield* runSync
      const removed = yield* runSync
      yield* fs.truncate(path.join(dataDir, `${truncated.id}.c1z`), 5000)
      yield* fs.remove(path.join(dataDir, `${removed.id}.c1z`))
      const before = (yield* logs).length

      const download = (id: string) =>
        Effect.flatMap(
          request("GET", `/v1/syncs/${id}/file`, { token: TestToken }),
          (response) => Effect.map(Effect.orDie(response.text), (body) => [response.status, body])
        )
      const answers = [yield* download(truncated.id), yield* download(removed.id)]

      const cannotBeRead = (id: string) =>
        JSON.stringify({
          error: "NotFound",
          message: `sync ${id} cannot be read: its .c1z was damaged or removed since the sync wrote it, ` +
            "so it is listed as failed now; queries without page_token read the newest sync that can be read"
        })
      assert.deepStrictEqual(answers, [[404, cannotBeRead(truncated.id)], [404, cannotBeRead(removed.id)]])
      for (const job of [truncated, removed]) {
        assert.deepStrictEqual(
          yield* client.syncs.get({ path: { id: job.id } }),
          { ...job, status: "failed", error: unreadableError, file_bytes: null }
        )
      }
      const warned = (yield* logs).slice(before).map(({ error, job, msg, reason }) => ({ msg, job, reason, error }))
      assert.deepStrictEqual(warned, [
        {
          msg: "sync job listed as failed",
          job: truncated.id,
          reason: "its .c1z could not be read back",
          error: `${path.join(dataDir, `${truncated.id}.c1z`)} is 5000 bytes, not the ${truncated.file_bytes} bytes its sync wrote`
        },
        {
          msg: "sync job listed as failed",
          job: removed.id,
          reason: "its .c1z could not be read back",
          error: `NotFound: FileSystem.stat (${path.join(dataDir, `${removed.id}.c1z`)}): ENOENT: no such file or directory, stat '${
            path.join(dataDir, `${removed.id}.c1z`)
          }'`
        }
      ])
    }).pipe(Effect.orDie))
})
