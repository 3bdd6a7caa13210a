import { openC1z } from "@baton-fivetran/c1z"
import { FileSystem, Path } from "@effect/platform"
import { assert, layer } from "@effect/vitest"
import { Chunk, Deferred, Effect, Fiber, Schedule, Schema, Stream } from "effect"
import { NotFound, SyncInProgress, SyncJob } from "@baton-fivetran/http-api"
import { SyncJobs } from "../src/SyncJobs.js"
import { awaitJob, harness, Harness, type HarnessOptions, logFields, runSync, TestToken } from "./Harness.js"
import { TestCaller } from "./TestCaller.js"
import { jobsOver } from "./JobsOver.js"

/** The service started again with `options`, over the data directory a test left: the jobs it lists and its log. */
const restartedWith = (options: HarnessOptions) =>
  Effect.gen(function*() {
    const service = yield* Harness
    return { listed: (yield* service.client.syncs.list()).items, logs: yield* service.logs }
  }).pipe(Effect.provide(harness(options)))

/**
 * The jobs a fresh SyncJobs lists over `dataDir`, as after a restart, and the lines it logged at
 * warn and above (the service's JSON format, without the time); it never syncs.
 */
const restartedList = (dataDir: string, keepSyncs: number) => {
  const lines: Array<string> = []
  return Effect.provide(
    Effect.map(Effect.flatMap(SyncJobs, (jobs) => jobs.list), (jobs) => ({ jobs, logs: lines.map(logFields) })),
    jobsOver(dataDir, { keepSyncs, write: (line) => lines.push(line) })
  )
}

/** Starts a sync with a raw request under the given request id; the job as answered. */
const startAs = (requestId: string) =>
  Effect.gen(function*() {
    const { request } = yield* Harness
    const response = yield* request("POST", "/v1/syncs", { token: TestToken, headers: { "x-request-id": requestId } })
    assert.strictEqual(response.status, 202)
    return yield* Effect.orDie(Effect.flatMap(response.json, Schema.decodeUnknown(SyncJob)))
  })

/** Into `dir`, a data directory of its own: the synced jobs' metadata and files, and the other jobs' metadata. */
const copyJobs = (dir: string, synced: ReadonlyArray<SyncJob>, others: ReadonlyArray<SyncJob>) =>
  Effect.gen(function*() {
    const { dataDir } = yield* Harness
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    for (const job of [...synced, ...others]) {
      yield* fs.writeFileString(path.join(dir, `${job.id}.json`), JSON.stringify(job))
    }
    for (const job of synced) {
      yield* fs.copyFile(path.join(dataDir, `${job.id}.c1z`), path.join(dir, `${job.id}.c1z`))
    }
  })

/** The service's page-token key (PageTokens.ts), made at start beside the syncs, which retention leaves alone. */
const pageTokenKey = "page-token.key"

/** The running service's lock of its data directory (DataDirLock.ts). */
const lockFile = "baton-fivetran-http.lock"

const dataFiles = Effect.gen(function*() {
  const { dataDir } = yield* Harness
  const fs = yield* FileSystem.FileSystem
  return (yield* Effect.orDie(fs.readDirectory(dataDir))).sort()
})

layer(harness({ keepSyncs: 2 }), { excludeTestServices: true, timeout: 60_000 })("sync jobs", (it) => {
  it.effect("a second POST while a sync runs is 409 with its id; cancelling it keeps no file", () =>
    Effect.gen(function*() {
      const { client, sandbox } = yield* Harness
      // Every sandbox answer waits 1 s, so the sync is certainly still running for the next calls.
      yield* sandbox.setFaults({ latency: { minMillis: 1000, maxMillis: 1000 } })
      // The client decodes a job only from a 202 and SyncInProgress only from a 409.
      const job = yield* client.syncs.start()
      assert.strictEqual(job.status, "queued")

      const second = yield* Effect.flip(client.syncs.start())
      assert.deepStrictEqual(
        second,
        new SyncInProgress({
          job_id: job.id,
          message: `sync ${job.id} is still running; wait for it or cancel it (POST /v1/syncs/${job.id}/cancel)`
        })
      )

      const cancelled = yield* client.syncs.cancel({ path: { id: job.id } })
      yield* sandbox.setFaults({})
      assert.strictEqual(cancelled.status, "cancelled")
      assert.strictEqual(cancelled.error, "cancelled before it finished; no file was kept")
      assert.strictEqual(cancelled.file_bytes, null)
      assert.isNotNull(cancelled.finished_at)
      // Only the job's metadata: no .c1z, no temporary file.
      assert.deepStrictEqual(yield* dataFiles, [lockFile, `${job.id}.json`, pageTokenKey].sort())
      const file = yield* Effect.flip(client.syncs.file({ path: { id: job.id } }))
      assert.deepStrictEqual(file, new NotFound({ message: `sync ${job.id} has no file: it is cancelled` }))
    }))

  it.effect("a sync runs to the end; its .c1z downloads and holds the sandbox's users", () =>
    Effect.gen(function*() {
      const { client, sandbox } = yield* Harness
      const snapshot = yield* sandbox.snapshot
      const job = yield* runSync
      assert.strictEqual(job.status, "succeeded")
      assert.strictEqual(job.error, null)
      assert.isNotNull(job.started_at)
      assert.isNotNull(job.finished_at)
      assert.strictEqual(job.summary?.resources["user"], snapshot.users.length)
      assert.strictEqual(job.summary?.resources["team"], snapshot.teams.length)
      assert.strictEqual(job.progress?.grants, (job.summary?.grants.direct ?? 0) + (job.summary?.grants.derived ?? 0))
      assert.isAbove(job.file_bytes ?? 0, 0)

      const listed = yield* client.syncs.list()
      assert.strictEqual(listed.items[0]?.id, job.id)
      assert.deepStrictEqual(yield* client.syncs.get({ path: { id: job.id } }), job)

      const bytes = yield* client.syncs.file({ path: { id: job.id } })
      assert.strictEqual(bytes.length, job.file_bytes)
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const copy = `${dir}/download.c1z`
      yield* fs.writeFile(copy, bytes)
      const userIds = yield* Effect.scoped(Effect.gen(function*() {
        const reader = yield* openC1z(copy)
        const rows = yield* Stream.runCollect(reader.resources({ resourceType: "user" }))
        return Chunk.toReadonlyArray(rows).map((row) => row.value.id.resource)
      }))
      assert.deepStrictEqual([...userIds].sort(), snapshot.users.map((user) => user.id).sort())
    }).pipe(Effect.scoped, Effect.orDie))

  it.effect("the download is application/octet-stream with the job id as the file name; its ETag or Last-Modified asked again is a 304", () =>
    Effect.gen(function*() {
      const { client, request } = yield* Harness
      const latest = (yield* client.syncs.list()).items.find((job) => job.status === "succeeded")
      assert.isDefined(latest)
      const response = yield* request("GET", `/v1/syncs/${latest!.id}/file`, { token: TestToken })
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.headers["content-type"], "application/octet-stream")
      assert.strictEqual(response.headers["content-disposition"], `attachment; filename="${latest!.id}.c1z"`)
      assert.strictEqual(response.headers["content-length"], String(latest!.file_bytes))
      // Asked again with its ETag (an uploader polling): 304 without a body; with another ETag, the file.
      const etag = response.headers["etag"]!
      const unchanged = yield* request("GET", `/v1/syncs/${latest!.id}/file`, { token: TestToken, headers: { "if-none-match": etag } })
      assert.deepStrictEqual([unchanged.status, unchanged.headers["etag"], yield* unchanged.text], [304, etag, ""])
      const other = yield* request("GET", `/v1/syncs/${latest!.id}/file`, { token: TestToken, headers: { "if-none-match": "\"other\"" } })
      assert.strictEqual(other.status, 200)
      assert.strictEqual((yield* other.arrayBuffer).byteLength, latest!.file_bytes)
      // Its Last-Modified sent back, or a later date: 304; an earlier date or one that does not parse: the file.
      const lastModified = response.headers["last-modified"]!
      const since = (date: string, headers: Record<string, string> = {}) =>
        Effect.flatMap(
          request("GET", `/v1/syncs/${latest!.id}/file`, { token: TestToken, headers: { "if-modified-since": date, ...headers } }),
          (answer) => Effect.map(answer.text, (body) => [answer.status, answer.headers["last-modified"], body.length > 0])
        )
      const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString()
      assert.deepStrictEqual(
        [
          yield* since(lastModified),
          yield* since("Sun, 01 Jan 2100 00:00:00 GMT"),
          yield* since(earlier),
          yield* since("not a date"),
          // If-None-Match decides when both are sent: another tag is the file, whatever the date.
          yield* since(lastModified, { "if-none-match": "\"other\"" })
        ],
        [
          [304, lastModified, false],
          [304, lastModified, false],
          [200, lastModified, true],
          [200, lastModified, true],
          [200, lastModified, true]
        ]
      )
    }).pipe(Effect.orDie))

  it.effect("only the newest --keep-syncs successful syncs are kept, files and metadata (the cancelled job apart)", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      const cancelled = (yield* client.syncs.list()).items.filter((job) => job.status === "cancelled")
      assert.strictEqual(cancelled.length, 1)
      const second = yield* runSync
      const third = yield* runSync
      const listed = yield* client.syncs.list()
      assert.deepStrictEqual(listed.items.map((job) => [job.id, job.status]), [
        [third.id, "succeeded"],
        [second.id, "succeeded"],
        [cancelled[0]!.id, "cancelled"]
      ])
      assert.deepStrictEqual(
        yield* dataFiles,
        [
          lockFile,
          `${cancelled[0]!.id}.json`,
          `${second.id}.c1z`,
          `${second.id}.json`,
          `${third.id}.c1z`,
          `${third.id}.json`,
          pageTokenKey
        ].sort()
      )
    }).pipe(Effect.orDie))

  it.effect("cancelling a finished job returns it unchanged", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      const latest = (yield* client.syncs.list()).items[0]!
      assert.deepStrictEqual(yield* client.syncs.cancel({ path: { id: latest.id } }), latest)
    }))

  it.effect("starting or cancelling given a body field or a query parameter is a 400 naming it, and starts nothing", () =>
    Effect.gen(function*() {
      const { client, request } = yield* Harness
      const before = (yield* client.syncs.list()).items
      const answers = []
      for (
        const [path, body] of [
          ["/v1/syncs", { sync_connections: true }],
          ["/v1/syncs?sync_connections=true", undefined],
          ["/v1/syncs", ["now"]],
          ["/v1/syncs/20200101T000000Z-0000/cancel", { reason: "x" }]
        ] as const
      ) {
        const response = yield* request("POST", path, { token: TestToken, body })
        answers.push([response.status, yield* Effect.orDie(response.json)])
      }
      assert.deepStrictEqual(answers, [
        [400, {
          error: "InvalidRequest",
          field: "sync_connections",
          message: "sync_connections is not a field of this request (it takes no body)"
        }],
        [
          400,
          {
            error: "InvalidRequest",
            field: "sync_connections",
            message: "sync_connections is not a field of this request (it takes no query parameters)"
          }
        ],
        [400, { error: "InvalidRequest", field: "body", message: "this request takes no body (or an empty JSON object)" }],
        [400, { error: "InvalidRequest", field: "reason", message: "reason is not a field of this request (it takes no body)" }]
      ])
      assert.deepStrictEqual((yield* client.syncs.list()).items, before)
    }))

  it.effect("an unknown job id is 404", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      const id = "20200101T000000Z-0000"
      const unknown = new NotFound({ message: `no sync job ${id}` })
      assert.deepStrictEqual(yield* Effect.flip(client.syncs.get({ path: { id } })), unknown)
      assert.deepStrictEqual(yield* Effect.flip(client.syncs.file({ path: { id } })), unknown)
      assert.deepStrictEqual(yield* Effect.flip(client.syncs.cancel({ path: { id } })), unknown)
    }))

  it.effect("after a restart the finished syncs are still listed, and a sync cut off by the stop is failed", () =>
    Effect.gen(function*() {
      const { client, dataDir } = yield* Harness
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const before = yield* client.syncs.list()
      const cutOff = {
        ...before.items[0]!,
        id: "29990101T000000Z-dead",
        status: "running",
        created_at: "2999-01-01T00:00:00.000Z",
        finished_at: null,
        summary: null,
        file_bytes: null
      }
      yield* fs.writeFileString(path.join(dataDir, `${cutOff.id}.json`), JSON.stringify(cutOff))
      yield* fs.writeFileString(path.join(dataDir, `.${cutOff.id}.c1z.0a1b2c.db`), "scratch left by a killed process")
      // A second instance over the same directory, as after a restart; it keeps all three.
      const { jobs: restarted, logs } = yield* restartedList(dataDir, 3)
      assert.deepStrictEqual(restarted.slice(1), before.items)
      assert.strictEqual(restarted[0]?.id, cutOff.id)
      assert.strictEqual(restarted[0]?.status, "failed")
      assert.strictEqual(restarted[0]?.error, "interrupted: the service stopped before this sync finished; no file was kept")
      assert.deepStrictEqual(logs, [{
        level: "warn",
        msg: "sync job failed",
        job: cutOff.id,
        error: "interrupted: the service stopped before this sync finished; no file was kept",
        reason: "interrupted"
      }])
      assert.isFalse(yield* fs.exists(path.join(dataDir, `.${cutOff.id}.c1z.0a1b2c.db`)))
      yield* fs.remove(path.join(dataDir, `${cutOff.id}.json`))
    }).pipe(Effect.orDie))

  it.effect("an unreadable job file is skipped at a restart with one warning naming it in its own field", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(`${dir}/29990101T000000Z-bad.json`, "{ not json")
      const { jobs, logs } = yield* restartedList(dir, 1)
      assert.deepStrictEqual(jobs, [])
      assert.deepStrictEqual(logs, [{ level: "warn", msg: "ignoring an unreadable sync job file", file: "29990101T000000Z-bad.json" }])
    }).pipe(Effect.scoped, Effect.orDie))

  it.effect("a restart with a smaller --keep-syncs deletes the older syncs at once, keeping the latest successful one", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const [newest, older] = (yield* client.syncs.list()).items
      // A copy of the two kept syncs, and a newer failed one, in a directory of their own.
      const failed: SyncJob = {
        ...newest!,
        id: "29990101T000000Z-fail",
        created_at: "2999-01-01T00:00:00.000Z",
        status: "failed",
        file_bytes: null
      }
      yield* copyJobs(dir, [newest!, older!], [failed])
      const { jobs: listed } = yield* restartedList(dir, 1)
      assert.deepStrictEqual(listed.map((job) => [job.id, job.status]), [[failed.id, "failed"], [newest!.id, "succeeded"]])
      assert.deepStrictEqual(
        (yield* fs.readDirectory(dir)).sort(),
        [`${failed.id}.json`, `${newest!.id}.c1z`, `${newest!.id}.json`].sort()
      )
    }).pipe(Effect.scoped, Effect.orDie))

  it.effect("failed and cancelled jobs do not push successful syncs out: each kind keeps its newest --keep-syncs", () =>
    Effect.gen(function*() {
      const { client } = yield* Harness
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const [newest, older] = (yield* client.syncs.list()).items
      // Three failures after the two kept syncs (Fivetran down for a few scheduled runs), in a directory of their own.
      const failures = ["29990101T000000Z-f001", "29990101T010000Z-f002", "29990101T020000Z-f003"].map((id, i): SyncJob => ({
        ...newest!,
        id,
        created_at: `2999-01-01T0${i}:00:00.000Z`,
        status: i === 1 ? "cancelled" : "failed",
        file_bytes: null
      }))
      yield* copyJobs(dir, [newest!, older!], failures)
      const { jobs: listed } = yield* restartedList(dir, 2)
      assert.deepStrictEqual(listed.map((job) => [job.id, job.status]), [
        [failures[2]!.id, "failed"],
        [failures[1]!.id, "cancelled"],
        [newest!.id, "succeeded"],
        [older!.id, "succeeded"]
      ])
      assert.deepStrictEqual(
        (yield* fs.readDirectory(dir)).sort(),
        [
          `${failures[1]!.id}.json`,
          `${failures[2]!.id}.json`,
          `${newest!.id}.c1z`,
          `${newest!.id}.json`,
          `${older!.id}.c1z`,
          `${older!.id}.json`
        ].sort()
      )
    }).pipe(Effect.scoped, Effect.orDie))

  /** The newest finished sync (its file and run) and an empty data directory to restart a service over. */
  const newestSyncAndScratchDir = Effect.gen(function*() {
    const { client, dataDir } = yield* Harness
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const dir = yield* fs.makeTempDirectoryScoped()
    const newest = (yield* client.syncs.list()).items.find((job) => job.status === "succeeded")!
    const source = path.join(dataDir, `${newest.id}.c1z`)
    const run = yield* Effect.scoped(Effect.map(openC1z(source), (reader) => reader.syncRun))
    return { dir, fs, newest, path, run, source }
  })

  it.effect("a .c1z whose metadata is damaged or missing is listed from the file, queried, and deleted by retention", () =>
    Effect.gen(function*() {
      const { dir, fs, newest, path, run, source } = yield* newestSyncAndScratchDir
      // The newest sync's metadata damaged; an older sync's lost; two damaged files without
      // metadata; a file the service did not name.
      const damaged = "20300101T000000Z-0a01"
      const lost = "20200101T000000Z-0a02"
      yield* fs.copyFile(source, path.join(dir, `${damaged}.c1z`))
      yield* fs.writeFileString(path.join(dir, `${damaged}.json`), "{ damaged")
      yield* fs.copyFile(source, path.join(dir, `${lost}.c1z`))
      yield* fs.writeFileString(path.join(dir, "20250101T000000Z-0a03.c1z"), "not a sync file")
      yield* fs.writeFileString(path.join(dir, "20260101T000000Z-0a04.c1z"), "not a sync file")
      yield* fs.copyFile(source, path.join(dir, "backup.c1z"))

      // The real service restarted over that directory, keeping one sync of each kind.
      const restarted = yield* Effect.gen(function*() {
        const service = yield* Harness
        const page = yield* service.request("GET", "/v1/resources?type=user&page_size=2", { token: TestToken })
        return {
          listed: (yield* service.client.syncs.list()).items,
          page: [page.status, ((yield* page.json) as { sync_id: string }).sync_id],
          file: yield* Effect.flip(service.client.syncs.file({ path: { id: "20260101T000000Z-0a04" } })),
          logs: yield* service.logs
        }
      }).pipe(Effect.provide(harness({ dataDir: dir, keepSyncs: 1 })))

      const rebuilt: SyncJob = {
        id: damaged,
        status: "succeeded",
        created_at: "2030-01-01T00:00:00.000Z",
        started_at: new Date(run.startedAt).toISOString(),
        finished_at: new Date(run.endedAt).toISOString(),
        sync_connections: false,
        progress: null,
        waiting: null,
        summary: null,
        error: null,
        file_bytes: newest.file_bytes
      }
      const unreadableError = "its metadata was lost and its .c1z cannot be read; the file is deleted with the older failed jobs"
      assert.deepStrictEqual(restarted.listed, [rebuilt, {
        ...rebuilt,
        id: "20260101T000000Z-0a04",
        status: "failed",
        created_at: "2026-01-01T00:00:00.000Z",
        started_at: null,
        finished_at: null,
        error: unreadableError,
        file_bytes: null
      }])
      assert.deepStrictEqual(restarted.page, [200, damaged])
      assert.deepStrictEqual(restarted.file, new NotFound({ message: "sync 20260101T000000Z-0a04 has no file: it is failed" }))
      const notASyncFile = (id: string) => `${path.join(dir, `${id}.c1z`)}: not a .c1z file (bad magic; expected the v1 header "C1ZF\\0")`
      assert.deepStrictEqual(restarted.logs, [
        { level: "warn", msg: "sync job rebuilt from its .c1z", job: lost, job_status: "succeeded", reason: "it had no metadata file" },
        {
          level: "warn",
          msg: "sync job listed as failed",
          job: "20250101T000000Z-0a03",
          job_status: "failed",
          reason: "it had no metadata file, and its .c1z could not be read back",
          error: notASyncFile("20250101T000000Z-0a03")
        },
        {
          level: "warn",
          msg: "sync job listed as failed",
          job: "20260101T000000Z-0a04",
          job_status: "failed",
          reason: "it had no metadata file, and its .c1z could not be read back",
          error: notASyncFile("20260101T000000Z-0a04")
        },
        {
          level: "warn",
          msg: "sync job rebuilt from its .c1z",
          job: damaged,
          job_status: "succeeded",
          reason: "its metadata file could not be read"
        }
      ])
      assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), [
        "20260101T000000Z-0a04.c1z",
        "20260101T000000Z-0a04.json",
        `${damaged}.c1z`,
        `${damaged}.json`,
        "backup.c1z",
        pageTokenKey
      ])
      assert.deepStrictEqual(
        Schema.decodeUnknownSync(Schema.parseJson(SyncJob))(yield* fs.readFileString(path.join(dir, `${damaged}.json`))),
        rebuilt
      )
    }).pipe(Effect.scoped, Effect.orDie))

  it.effect("a job whose metadata still says running but whose .c1z is in place is listed as succeeded from the file", () =>
    Effect.gen(function*() {
      const { dir, fs, newest, path, run, source } = yield* newestSyncAndScratchDir
      // Killed between the .c1z's rename and the final metadata write: the file is complete, the
      // metadata still says running. A second such job whose file cannot be read.
      const running = (id: string, createdAt: string): SyncJob => ({
        id,
        status: "running",
        created_at: createdAt,
        started_at: "2030-01-01T00:00:01.000Z",
        finished_at: null,
        sync_connections: false,
        progress: null,
        waiting: null,
        summary: null,
        error: null,
        file_bytes: null
      })
      const complete = running("20300101T000000Z-0c01", "2030-01-01T00:00:00.123Z")
      const unreadable = running("20290101T000000Z-0c02", "2029-01-01T00:00:00.456Z")
      yield* fs.writeFileString(path.join(dir, `${complete.id}.json`), JSON.stringify(complete))
      yield* fs.copyFile(source, path.join(dir, `${complete.id}.c1z`))
      yield* fs.writeFileString(path.join(dir, `${unreadable.id}.json`), JSON.stringify(unreadable))
      yield* fs.writeFileString(path.join(dir, `${unreadable.id}.c1z`), "not a sync file")

      const restarted = yield* Effect.gen(function*() {
        const service = yield* Harness
        const page = yield* service.request("GET", "/v1/resources?type=user&page_size=2", { token: TestToken })
        return {
          listed: (yield* service.client.syncs.list()).items,
          page: [page.status, ((yield* page.json) as { sync_id: string }).sync_id],
          bytes: (yield* service.client.syncs.file({ path: { id: complete.id } })).length,
          logs: yield* service.logs
        }
      }).pipe(Effect.provide(harness({ dataDir: dir, keepSyncs: 1 })))

      const succeeded: SyncJob = {
        ...complete,
        status: "succeeded",
        finished_at: new Date(run.endedAt).toISOString(),
        file_bytes: newest.file_bytes
      }
      // Was "...; no file was kept", beside the file kept.
      const interrupted = "interrupted: the service stopped before it recorded this sync's end, and its .c1z cannot be read back; " +
        "the file is deleted with the older failed jobs"
      // The failed job's end is the restart's time.
      const [first, second, ...rest] = restarted.listed
      assert.deepStrictEqual([first, rest], [succeeded, []])
      assert.isNotNull(second?.finished_at)
      assert.deepStrictEqual({ ...second!, finished_at: null }, { ...unreadable, status: "failed", error: interrupted })
      assert.deepStrictEqual(restarted.page, [200, complete.id])
      assert.strictEqual(restarted.bytes, newest.file_bytes)
      assert.deepStrictEqual(restarted.logs, [
        { level: "warn", msg: "sync job failed", job: unreadable.id, error: interrupted, reason: "interrupted" },
        {
          level: "warn",
          msg: "sync job rebuilt from its .c1z",
          job: complete.id,
          job_status: "succeeded",
          reason: "the service stopped after its .c1z was complete, before its metadata said so"
        }
      ])
      // The unreadable file stays until retention deletes it with the job, as the other failed jobs' files.
      assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), [
        `${unreadable.id}.c1z`,
        `${unreadable.id}.json`,
        `${complete.id}.c1z`,
        `${complete.id}.json`,
        pageTokenKey
      ])
      assert.deepStrictEqual(
        Schema.decodeUnknownSync(Schema.parseJson(SyncJob))(yield* fs.readFileString(path.join(dir, `${complete.id}.json`))),
        succeeded
      )
    }).pipe(Effect.scoped, Effect.orDie))

  it.effect("a job recorded cancelled beside its complete .c1z (an older build's cancel during the rename) is listed as succeeded", () =>
    Effect.gen(function*() {
      const { dir, fs, newest, path, run, source } = yield* newestSyncAndScratchDir
      const cancelled: SyncJob = {
        id: "20300101T000000Z-0c03",
        status: "cancelled",
        created_at: "2030-01-01T00:00:00.123Z",
        started_at: "2030-01-01T00:00:01.000Z",
        finished_at: "2030-01-01T00:00:09.000Z",
        sync_connections: false,
        progress: null,
        waiting: null,
        summary: null,
        error: "cancelled; no file was kept",
        file_bytes: null
      }
      yield* fs.writeFileString(path.join(dir, `${cancelled.id}.json`), JSON.stringify(cancelled))
      yield* fs.copyFile(source, path.join(dir, `${cancelled.id}.c1z`))

      const restarted = yield* restartedWith({ dataDir: dir, keepSyncs: 1 })

      const succeeded: SyncJob = {
        ...cancelled,
        status: "succeeded",
        finished_at: new Date(run.endedAt).toISOString(),
        error: null,
        file_bytes: newest.file_bytes
      }
      assert.deepStrictEqual(restarted.listed, [succeeded])
      assert.deepStrictEqual(restarted.logs, [{
        level: "warn",
        msg: "sync job rebuilt from its .c1z",
        job: cancelled.id,
        job_status: "succeeded",
        reason: "it was recorded cancelled, but its .c1z was complete"
      }])
      assert.deepStrictEqual(
        Schema.decodeUnknownSync(Schema.parseJson(SyncJob))(yield* fs.readFileString(path.join(dir, `${cancelled.id}.json`))),
        succeeded
      )
    }).pipe(Effect.scoped, Effect.orDie))

  it.effect("a metadata write that never finished leaves no temporary file after a restart, with one warning naming them", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const dir = yield* fs.makeTempDirectoryScoped()
      const failed: SyncJob = {
        id: "20300101T000000Z-0d01",
        status: "failed",
        created_at: "2030-01-01T00:00:00.000Z",
        started_at: "2030-01-01T00:00:01.000Z",
        finished_at: "2030-01-01T00:00:02.000Z",
        sync_connections: false,
        progress: null,
        waiting: null,
        summary: null,
        error: "Fivetran answered 503",
        file_bytes: null
      }
      yield* fs.writeFileString(path.join(dir, `${failed.id}.json`), JSON.stringify(failed))
      // Killed while writing: the job's next record half written; another job's first record never renamed.
      yield* fs.writeFileString(path.join(dir, `${failed.id}.json.4242.tmp`), "{\"id\":\"20300101T")
      yield* fs.writeFileString(path.join(dir, "20300101T000000Z-0d02.json.1.tmp"), JSON.stringify({ ...failed, status: "queued" }))
      // The same as this build names them (random, not the pid).
      yield* fs.writeFileString(path.join(dir, `.${failed.id}.json.0123456789abcdef.tmp`), "{\"id\":\"20300101T")
      // Not named as the service names its temporary files: left alone.
      yield* fs.writeFileString(path.join(dir, "notes.json.7.tmp"), "someone else's")
      yield* fs.writeFileString(path.join(dir, `${failed.id}.json.tmp`), "someone else's")
      yield* fs.writeFileString(path.join(dir, ".notes.json.0123456789abcdef.tmp"), "someone else's")

      const restarted = yield* restartedWith({ dataDir: dir })

      assert.deepStrictEqual(restarted.listed, [failed])
      assert.deepStrictEqual(restarted.logs, [{
        level: "warn",
        msg: "removed temporary files of sync job metadata writes that never finished",
        files: `.${failed.id}.json.0123456789abcdef.tmp, ${failed.id}.json.4242.tmp, 20300101T000000Z-0d02.json.1.tmp`
      }])
      assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), [
        ".notes.json.0123456789abcdef.tmp",
        `${failed.id}.json`,
        `${failed.id}.json.tmp`,
        "notes.json.7.tmp",
        pageTokenKey
      ])
    }).pipe(Effect.scoped, Effect.orDie))

  it.effect("a symlink planted at the temporary name of older builds' job records is not written through", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const outside = yield* fs.makeTempDirectoryScoped()
      const victim = path.join(outside, "victim")
      yield* fs.writeFileString(victim, "another user's file")
      const dir = yield* fs.makeTempDirectoryScoped()
      const { job, planted } = yield* Effect.gen(function*() {
        const { client, sandbox } = yield* Harness
        // Held by the sandbox's latency, so that the job's later records are written after the link is planted.
        yield* sandbox.setFaults({ latency: { minMillis: 300, maxMillis: 300 } })
        const started = yield* client.syncs.start()
        // Older builds wrote `<id>.json.<pid>.tmp` through whatever was there, then renamed it over the record.
        const planted = path.join(dir, `${started.id}.json.${process.pid}.tmp`)
        // (Retried: an older build's own temporary file may hold the name for a moment.)
        yield* fs.symlink(victim, planted).pipe(Effect.retry({ times: 50, schedule: Schedule.spaced("10 millis") }))
        yield* sandbox.setFaults({})
        return { job: yield* awaitJob(started.id), planted }
      }).pipe(Effect.provide(harness({ dataDir: dir })))
      assert.strictEqual(job.status, "succeeded")
      assert.strictEqual(yield* fs.readFileString(victim), "another user's file")
      assert.strictEqual((yield* fs.stat(path.join(dir, `${job.id}.json`))).type, "File")
      assert.deepStrictEqual(
        Schema.decodeUnknownSync(Schema.parseJson(SyncJob))(yield* fs.readFileString(path.join(dir, `${job.id}.json`))),
        job
      )
      assert.strictEqual(yield* fs.readLink(planted), victim)
    }).pipe(Effect.scoped, Effect.orDie))

  it.effect("a data and a temporary directory the service makes are owner-only (0700), and so are its files (0600)", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const saved = process.umask(0o022)
      yield* Effect.addFinalizer(() => Effect.sync(() => process.umask(saved)))
      const dir = yield* fs.makeTempDirectoryScoped()
      const dataDir = path.join(dir, "data")
      const tempDir = path.join(dataDir, "tmp")
      const job = yield* Effect.gen(function*() {
        const job = yield* runSync
        const { request } = yield* Harness
        // A query, so that a working copy exists in the temporary directory meanwhile.
        assert.strictEqual((yield* request("GET", "/v1/resources?type=user", { token: TestToken })).status, 200)
        return job
      }).pipe(Effect.provide(harness({ dataDir, tempDir })))
      assert.strictEqual(job.status, "succeeded")
      const modeOf = (name: string) => Effect.map(fs.stat(path.join(dataDir, name)), (info) => info.mode & 0o777)
      assert.deepStrictEqual(
        yield* Effect.all([modeOf("."), modeOf("tmp"), modeOf(`${job.id}.json`), modeOf(`${job.id}.c1z`), modeOf(pageTokenKey)]),
        [0o700, 0o700, 0o600, 0o600, 0o600]
      )
    }).pipe(Effect.scoped, Effect.orDie))

  it.effect("a damaged job metadata file without a .c1z is listed as failed once, then kept and deleted as failed jobs are", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(path.join(dir, "20200101T000000Z-0e02.json"), "{ damaged")
      yield* fs.writeFileString(path.join(dir, "20300101T000000Z-0e01.json"), "{ damaged")
      // Not named with a job id: not the service's own, left alone.
      yield* fs.writeFileString(path.join(dir, "notes.json"), "{ not json")
      // A fresh service each time, with its own log.
      const restart = Effect.suspend(() => restartedWith({ dataDir: dir, keepSyncs: 1 }))

      const failed: SyncJob = {
        id: "20300101T000000Z-0e01",
        status: "failed",
        created_at: "2030-01-01T00:00:00.000Z",
        started_at: null,
        finished_at: null,
        sync_connections: false,
        progress: null,
        waiting: null,
        summary: null,
        error: "its metadata could not be read and it had no .c1z; it is deleted with the older failed jobs",
        file_bytes: null
      }
      const foreign = { level: "warn", msg: "ignoring an unreadable sync job file", file: "notes.json" }
      const listedAsFailed = (job: string) => ({
        level: "warn",
        msg: "sync job listed as failed",
        job,
        reason: "its metadata file could not be read and it has no .c1z"
      })
      // The older one is past --keep-syncs 1 failed jobs: deleted at once.
      const first = yield* restart
      assert.deepStrictEqual(first.listed, [failed])
      assert.deepStrictEqual(first.logs, [listedAsFailed("20200101T000000Z-0e02"), listedAsFailed(failed.id), foreign])
      assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), [`${failed.id}.json`, "notes.json", pageTokenKey])
      assert.deepStrictEqual(
        Schema.decodeUnknownSync(Schema.parseJson(SyncJob))(yield* fs.readFileString(path.join(dir, `${failed.id}.json`))),
        failed
      )
      // The next start reads it as any failed job: no warning about it again.
      const second = yield* restart
      assert.deepStrictEqual(second.listed, [failed])
      assert.deepStrictEqual(second.logs, [foreign])
      assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), [`${failed.id}.json`, "notes.json", pageTokenKey])
    }).pipe(Effect.scoped, Effect.orDie))

  it.effect("a sync that fails is listed as failed with the engine's reason", () =>
    Effect.gen(function*() {
      const { sandbox } = yield* Harness
      yield* sandbox.setFaults({ serverErrorShare: 1 })
      const job = yield* runSync
      yield* sandbox.setFaults({})
      assert.strictEqual(job.status, "failed")
      assert.include(job.error ?? "", "Fivetran answered 5")
      assert.strictEqual(job.file_bytes, null)
      const again = yield* awaitJob(job.id)
      assert.deepStrictEqual(again, job)
    }))

  it.effect("a cancelled sync leaves one warning naming the job and reason requested, under the id of the request that started it", () =>
    Effect.gen(function*() {
      const { client, logs, sandbox } = yield* Harness
      const logged = (yield* logs).length
      yield* sandbox.setFaults({ latency: { minMillis: 1000, maxMillis: 1000 } })
      const job = yield* startAs("sync-to-cancel")
      yield* client.syncs.cancel({ path: { id: job.id } })
      yield* sandbox.setFaults({})
      const lines = (yield* logs).slice(logged)
      assert.deepStrictEqual(lines, [{
        level: "warn",
        msg: "sync job cancelled",
        request_id: "sync-to-cancel",
        caller: TestCaller,
        job: job.id,
        // The sync id the job's .c1z would have recorded (SyncJobLogs.test.ts).
        c1z_sync_id: lines[0]?.["c1z_sync_id"],
        error: "cancelled before it finished; no file was kept",
        // baton_sync_jobs_total's reason for it, as the CLI's interrupted sync line has its own.
        reason: "requested"
      }])
      assert.match(String(lines[0]?.["c1z_sync_id"]), /^[0-9A-Za-z]{27}$/)
    }))
})

layer(harness({ badSecret: true }), { excludeTestServices: true, timeout: 60_000 })("a sync Fivetran refuses", (it) => {
  it.effect("leaves one warning naming the job, its error and reason, under the id of the request that started it", () =>
    Effect.gen(function*() {
      const { logs } = yield* Harness
      const job = yield* awaitJob((yield* startAs("sync-that-fails")).id)
      const error = "Fivetran rejected the API key or secret (401 on GET /v1/roles); check the api-key and api-secret settings"
      assert.strictEqual(job.error, error)
      const lines = yield* logs
      assert.deepStrictEqual(lines, [{
        level: "warn",
        msg: "sync job failed",
        request_id: "sync-that-fails",
        caller: TestCaller,
        job: job.id,
        c1z_sync_id: lines[0]?.["c1z_sync_id"],
        error,
        reason: "unauthorized"
      }])
      assert.match(String(lines[0]?.["c1z_sync_id"]), /^[0-9A-Za-z]{27}$/)
    }))
})

layer(harness({ syncConnections: true }), { excludeTestServices: true, timeout: 60_000 })("--sync-connections", (it) => {
  it.effect("jobs run with connection-level access when the service is started with it", () =>
    Effect.gen(function*() {
      const { client, sandbox } = yield* Harness
      const snapshot = yield* sandbox.snapshot
      const job = yield* runSync
      assert.strictEqual(job.status, "succeeded")
      assert.strictEqual(job.sync_connections, true)
      assert.strictEqual(job.summary?.resources["connection"], snapshot.connections.length)
      const connections = yield* client.queries.resources({ urlParams: { type: "connection", page_size: 1000 } })
      assert.deepStrictEqual(
        connections.items.map((item) => item.id.resource).sort(),
        snapshot.connections.map((connection) => connection.id).sort()
      )
    }).pipe(Effect.orDie))
})

/** Set once the held sync's file is in place; the job store has not heard of its end yet. */
const fileInPlace = Effect.runSync(Deferred.make<void>())
/** Lets the held sync go on to its end. */
const release = Effect.runSync(Deferred.make<void>())

layer(
  harness({
    keepSyncs: 1,
    logLevel: "info",
    afterEngineRun: Effect.zipRight(Deferred.succeed(fileInPlace, undefined), Deferred.await(release))
  }),
  { excludeTestServices: true, timeout: 60_000 }
)("a cancel that comes after the file's rename", (it) => {
  it.effect("is too late: the job succeeded with its summary and final progress, and its file is kept and served", () =>
    Effect.gen(function*() {
      const { client, dataDir, logs, sandbox } = yield* Harness
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const started = yield* client.syncs.start()
      yield* Deferred.await(fileInPlace)
      const cancel = yield* Effect.fork(client.syncs.cancel({ path: { id: started.id } }))
      // The held sync goes on once the cancel has reached its job: the job says it finishes its file
      // (or, as before, the cancel is answered at once).
      const finishing = Effect.map(
        logs,
        (lines) =>
          lines.some((line) => line["msg"] === "sync job finishing its file: the cancel or stop came after the last row was written")
      ).pipe(
        Effect.delay("20 millis"),
        Effect.repeat({ until: (seen) => seen })
      )
      yield* Effect.raceFirst(Effect.asVoid(finishing), Effect.asVoid(Fiber.await(cancel)))
      yield* Deferred.succeed(release, undefined)
      const job = yield* Fiber.join(cancel)
      const size = Number((yield* fs.stat(path.join(dataDir, `${started.id}.c1z`))).size)
      assert.deepStrictEqual(
        [job.status, job.error, job.file_bytes, job.summary === null, job.progress?.phase, job.progress?.requestsLeft],
        ["succeeded", null, size, false, "done", 0]
      )
      assert.strictEqual(job.summary?.resources["user"], (yield* sandbox.snapshot).users.length)
      assert.deepStrictEqual(yield* client.syncs.get({ path: { id: started.id } }), job)
      assert.deepStrictEqual(yield* dataFiles, [`${started.id}.c1z`, `${started.id}.json`, lockFile, pageTokenKey].sort())
      assert.strictEqual((yield* client.syncs.file({ path: { id: started.id } })).length, size)
      assert.deepStrictEqual((yield* logs).filter((line) => line["msg"] === "wrote the sync file").map((line) => line["job"]), [started.id])
    }).pipe(Effect.orDie))
})
