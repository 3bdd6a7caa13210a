import { openC1z } from "@baton-fivetran/c1z"
import { GrantPage } from "@baton-fivetran/http-api"
import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, it } from "@effect/vitest"
import { Chunk, Effect, Schema, Stream } from "effect"
import { harness, Harness, runSync, TestToken } from "./Harness.js"
import { TestCaller } from "./TestCaller.js"

/**
 * A kept reader whose working copy in --temp-dir breaks under it (cut short by a tmp cleaner or a
 * failing disk) stayed in the reader cache: every later query of that sync failed for the reader's
 * ten minutes, though its .c1z was fine. The query that finds it broken fails; the next one reads a
 * fresh copy made from the .c1z.
 */

const workingCopies = (tempDir: string) =>
  Effect.flatMap(
    FileSystem.FileSystem,
    (fs) => Effect.map(Effect.orDie(fs.readDirectory(tempDir)), (names) => names.filter((name) => name.startsWith("c1z-")).sort())
  )

/** Cuts the database of the one working copy in `tempDir` to its first page; the copy's name. */
const cutWorkingCopy = (tempDir: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const copies = yield* workingCopies(tempDir)
    assert.strictEqual(copies.length, 1)
    yield* Effect.orDie(fs.truncate(path.join(tempDir, copies[0]!, "db"), 4096))
    return copies
  })

const get = (path: string) =>
  Effect.gen(function*() {
    const { request } = yield* Harness
    const response = yield* request("GET", path, { token: TestToken })
    return { status: response.status, body: yield* Effect.orDie(response.json) }
  })

/** The grants page of sync `id` as its .c1z holds it (by grant id, as the service lists them), encoded as the API sends it. */
const grantsOfFile = (file: string, syncId: string) =>
  Effect.scoped(Effect.gen(function*() {
    const reader = yield* Effect.orDie(openC1z(file))
    const rows = yield* Effect.orDie(Stream.runCollect(reader.sorted.grants()))
    return Schema.encodeSync(GrantPage)({
      sync_id: syncId,
      items: Chunk.toReadonlyArray(rows).map((row) => row.value),
      next_page_token: null
    })
  }))

it.live("a query that finds its sync's working copy broken fails; the next one reads a fresh copy", () =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const tempDir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-copies-" })
    yield* Effect.gen(function*() {
      const { dataDir, logs } = yield* Harness
      const job = yield* runSync
      assert.strictEqual(job.status, "succeeded")
      // Opens the sync's reader, which the cache keeps.
      assert.strictEqual((yield* get("/v1/resources?type=team")).status, 200)
      const expected = yield* grantsOfFile(`${dataDir}/${job.id}.c1z`, job.id)
      assert.isAbove(expected.items.length, 0)

      const [broken] = yield* cutWorkingCopy(tempDir)
      // The operator's disk, not a bug: a 503 to send again, not a 500 (before, its alert fired as a bug's).
      assert.deepStrictEqual(yield* get("/v1/grants?page_size=1000"), {
        status: 503,
        body: {
          error: "StorageUnavailable",
          message: `cannot read sync ${job.id}: the service's working copy of it in its temporary directory was damaged ` +
            "while it was read (its .c1z is fine); send the request again; if this recurs, the operator must check " +
            "that directory's disk and any tmp cleaner that cuts or removes files there (docs/deploy.md)"
        }
      })
      // Dropped as the failed request ended: no copy is left until the next request.
      assert.deepStrictEqual(yield* workingCopies(tempDir), [])
      // One line for the failure: the request's.
      assert.deepStrictEqual(
        (yield* logs).filter((line) => line["msg"] !== "http request").map(({ request_id, ...line }) => [typeof request_id, line]),
        [["string", {
          level: "error",
          msg: "the working copy of a sync was damaged while it was read",
          caller: TestCaller,
          job: job.id,
          directory: tempDir,
          error: `${tempDir}/${broken}/db: the working copy of ${dataDir}/${job.id}.c1z was damaged while it was read ` +
            "(database disk image is malformed); the .c1z itself was checked when it was opened and is not the cause: " +
            `check the disk of ${tempDir} and any tmp cleaner that removes or cuts files there, then read it again`
        }]]
      )

      assert.deepStrictEqual(yield* get("/v1/grants?page_size=1000"), { status: 200, body: expected })
      const fresh = yield* workingCopies(tempDir)
      assert.strictEqual(fresh.length, 1)
      assert.notStrictEqual(fresh[0], broken)
      // The sync is fine: its job is as it was.
      assert.deepStrictEqual((yield* get(`/v1/syncs/${job.id}`)).body, job)
    }).pipe(Effect.provide(harness({ tempDir })))
    // The broken copy and the fresh one, both gone with the service.
    assert.deepStrictEqual(yield* workingCopies(tempDir), [])
  }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)), 120_000)

it.live("a broken working copy whose .c1z is damaged too: the next query finds the .c1z damaged and says so", () =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const tempDir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-copies-" })
    yield* Effect.gen(function*() {
      const { dataDir } = yield* Harness
      const job = yield* runSync
      assert.strictEqual((yield* get("/v1/resources?type=team")).status, 200)

      yield* cutWorkingCopy(tempDir)
      yield* Effect.orDie(fs.truncate(`${dataDir}/${job.id}.c1z`, 5000))
      assert.strictEqual((yield* get("/v1/grants?page_size=1000")).status, 503)
      assert.deepStrictEqual(yield* get("/v1/grants?page_size=1000"), {
        status: 404,
        body: {
          error: "NotFound",
          message: `sync ${job.id} cannot be read: its .c1z was damaged or removed since the sync wrote it, ` +
            "so it is listed as failed now; queries without page_token read the newest sync that can be read"
        }
      })
      assert.deepStrictEqual((yield* get(`/v1/syncs/${job.id}`)).body, {
        ...job,
        status: "failed",
        error: "its .c1z could not be read back (damaged or removed since the sync wrote it); " +
          "queries read the newest sync that can be read, and the file is deleted with the older failed jobs",
        file_bytes: null
      })
    }).pipe(Effect.provide(harness({ tempDir })))
    assert.deepStrictEqual(yield* workingCopies(tempDir), [])
  }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)), 120_000)
