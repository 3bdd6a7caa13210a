import { FileSystem } from "@effect/platform"
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { harness, Harness, runSync, TestToken } from "./Harness.js"

/**
 * The working copies of the syncs queries read, in `--temp-dir`: what a stopped process left there
 * is removed at start, and a query whose copy cannot be made is a 503 saying what to fix.
 */

/**
 * Made before the service starts: what killed readers left (this pid's, not in use; one from before
 * pids, untouched for two days) and a file of someone else's.
 */
const tempDir = mkdtempSync(join(tmpdir(), "baton-http-copies-"))
const leftovers = [`c1z-${process.pid}-Left01`, "c1z-Zq81xP"]
const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000)
for (const name of leftovers) {
  mkdirSync(join(tempDir, name))
  writeFileSync(join(tempDir, name, "db"), "a copy left by a killed process")
  utimesSync(join(tempDir, name), twoDaysAgo, twoDaysAgo)
}
writeFileSync(join(tempDir, "notes.txt"), "not the service's")

const get = (path: string) =>
  Effect.gen(function*() {
    const { request } = yield* Harness
    const response = yield* request("GET", path, { token: TestToken })
    return { status: response.status, body: yield* Effect.orDie(response.json) }
  })

layer(harness({ tempDir }), { excludeTestServices: true, timeout: 90_000 })("the working copies in --temp-dir", (it) => {
  it.effect("what a stopped process left there is removed at start, with one warning; other files stay", () =>
    Effect.gen(function*() {
      const { logs } = yield* Harness
      const fs = yield* FileSystem.FileSystem
      assert.deepStrictEqual(yield* Effect.orDie(fs.readDirectory(tempDir)), ["notes.txt"])
      const warnings = (yield* logs).filter((line) => line.msg === "removed working copies of syncs left by a stopped process")
      assert.deepStrictEqual(
        warnings.map((line) => String(line.directories).split(", ").sort()),
        [leftovers.map((name) => join(tempDir, name)).sort()]
      )
    }))

  it.effect("a query whose copy cannot be made is 503 StorageUnavailable saying what to fix; it works once fixed", () =>
    Effect.gen(function*() {
      const { logs } = yield* Harness
      const fs = yield* FileSystem.FileSystem
      const job = yield* runSync
      assert.strictEqual(job.status, "succeeded")
      // The directory replaced by a file while the service runs: no copy can be made in it.
      yield* Effect.orDie(fs.remove(tempDir, { recursive: true }))
      yield* Effect.orDie(fs.writeFileString(tempDir, "in the way"))
      const unavailable = {
        status: 503,
        body: {
          error: "StorageUnavailable",
          message: `cannot read sync ${job.id}: the service could not make its working copy in its temporary directory ` +
            "(ENOTDIR); the operator must make that directory writable with free space, or set --temp-dir " +
            "(BATON_HTTP_TEMP_DIR) to one (docs/deploy.md); then this request works"
        }
      }
      assert.deepStrictEqual(yield* get("/v1/resources?type=team"), unavailable)
      assert.deepStrictEqual(yield* get("/v1/export?format=csv"), unavailable)
      assert.deepStrictEqual(yield* get(`/v1/syncs/${job.id}/diff?base=${job.id}`), unavailable)
      const logged = (yield* logs).filter((line) => line.msg === "could not make the working copy of a sync")
      assert.deepStrictEqual(logged.map((line) => [line.level, line.job, line.directory]), [
        ["error", job.id, tempDir],
        ["error", job.id, tempDir],
        ["error", job.id, tempDir]
      ])

      yield* Effect.orDie(fs.remove(tempDir))
      yield* Effect.orDie(fs.makeDirectory(tempDir))
      const fixed = yield* get("/v1/resources?type=team")
      assert.strictEqual(fixed.status, 200)
      assert.strictEqual((fixed.body as { items: ReadonlyArray<unknown> }).items.length, 3)
    }).pipe(Effect.ensuring(Effect.flatMap(FileSystem.FileSystem, (fs) => Effect.ignore(fs.remove(tempDir, { recursive: true }))))))
})

const retentionTempDir = mkdtempSync(join(tmpdir(), "baton-http-copies-kept-"))

/** The working copies in the directory, once the count is `count` (an invalidated copy is removed as its last reader ends). */
const copiesOnce = (count: number) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    for (let attempt = 0; attempt < 200; attempt++) {
      const copies = (yield* Effect.orDie(fs.readDirectory(retentionTempDir))).filter((name) => name.startsWith("c1z-"))
      if (copies.length === count || attempt === 199) return copies
      yield* Effect.sleep("25 millis")
    }
    return []
  })

layer(harness({ tempDir: retentionTempDir, keepSyncs: 1 }), { excludeTestServices: true, timeout: 90_000 })(
  "the working copies of syncs retention deleted",
  (it) => {
    it.effect("go with the sync, instead of staying for the reader's ten minutes", () =>
      Effect.gen(function*() {
        const first = yield* runSync
        assert.strictEqual((yield* get("/v1/resources?type=team")).status, 200)
        assert.strictEqual((yield* copiesOnce(1)).length, 1)
        const second = yield* runSync
        assert.deepStrictEqual([first.status, second.status], ["succeeded", "succeeded"])
        assert.strictEqual((yield* get(`/v1/syncs/${first.id}`)).status, 404)
        assert.strictEqual((yield* get("/v1/resources?type=team")).status, 200)
        // The second sync's copy alone: the first's went when retention deleted the sync.
        assert.strictEqual((yield* copiesOnce(1)).length, 1)
      }).pipe(
        Effect.ensuring(Effect.flatMap(FileSystem.FileSystem, (fs) => Effect.ignore(fs.remove(retentionTempDir, { recursive: true }))))
      ))
  }
)
