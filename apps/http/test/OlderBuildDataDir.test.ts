import { FileSystem, Path } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { utimes } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { Harness, harness, TestToken } from "./Harness.js"
import { serviceProcessOver } from "./ServiceProcess.js"

/**
 * A data directory the first release (4f49f9b) wrote (fixtures/first-release-data-dir/README.md:
 * a failed, a cancelled and a succeeded job, and one killed while it ran), served by this build
 * after an upgrade on the same volume.
 */

const fixture = fileURLToPath(new URL("fixtures/first-release-data-dir", import.meta.url))

const succeeded = "20261205T213558Z-bcda"
const jobFiles = [
  "20261205T213505Z-2f58.json",
  "20261205T213544Z-8d75.json",
  `${succeeded}.c1z`,
  `${succeeded}.json`,
  "20261205T213610Z-1ae5.json"
]

/** The fixture as the first release left it: every file 0644, as it wrote them under umask 022. */
const firstReleaseDataDir = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const dataDir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-first-release-" })
  for (const name of jobFiles) {
    yield* fs.copyFile(path.join(fixture, name), path.join(dataDir, name))
    yield* fs.chmod(path.join(dataDir, name), 0o644)
  }
  return dataDir
})

describe("a data directory of the first release", () => {
  it.scopedLive("lists its jobs as it recorded them, serves its sync, and makes its files owner-only (0600)", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const dataDir = yield* firstReleaseDataDir
      const served = yield* Effect.gen(function*() {
        const { client, logs, request } = yield* Harness
        const listed = (yield* Effect.orDie(client.syncs.list())).items
        const page = yield* request("GET", "/v1/resources?type=user&page_size=1", { token: TestToken })
        return { listed, status: page.status, page: (yield* Effect.orDie(page.json)) as { sync_id: string }, logs: yield* logs }
      }).pipe(Effect.provide(harness({ dataDir, logLevel: "info" })))

      assert.deepStrictEqual(
        served.listed.map((job) => ({
          id: job.id,
          status: job.status,
          error: job.error,
          file_bytes: job.file_bytes,
          retryBackoffMillis: job.summary?.retryBackoffMillis,
          rateLimitWindowSeconds: job.summary?.rateLimitWindowSeconds,
          grants: job.summary?.grants
        })),
        [
          {
            id: "20261205T213610Z-1ae5",
            status: "failed",
            error: "interrupted: the service stopped before this sync finished; no file was kept",
            file_bytes: null,
            retryBackoffMillis: undefined,
            rateLimitWindowSeconds: undefined,
            grants: undefined
          },
          {
            id: succeeded,
            status: "succeeded",
            error: null,
            file_bytes: 21126,
            retryBackoffMillis: null,
            rateLimitWindowSeconds: null,
            grants: { direct: 91, derived: 31 }
          },
          {
            id: "20261205T213544Z-8d75",
            status: "cancelled",
            error: "cancelled before it finished; no file was kept",
            file_bytes: null,
            retryBackoffMillis: undefined,
            rateLimitWindowSeconds: undefined,
            grants: undefined
          },
          {
            id: "20261205T213505Z-2f58",
            status: "failed",
            error: "Fivetran rejected the API key or secret (401 on GET /v1/roles); check the api-key and api-secret settings",
            file_bytes: null,
            retryBackoffMillis: undefined,
            rateLimitWindowSeconds: undefined,
            grants: undefined
          }
        ]
      )
      assert.deepStrictEqual([served.status, served.page.sync_id], [200, succeeded])

      const modes = yield* Effect.forEach(jobFiles, (name) => Effect.map(fs.stat(path.join(dataDir, name)), (info) => info.mode & 0o777))
      assert.deepStrictEqual(modes, jobFiles.map(() => 0o600))
      assert.deepStrictEqual(
        served.logs.filter((line) => String(line.msg).includes("owner-only")),
        [{
          level: "info",
          msg: "made an older build's sync job files owner-only (0600)",
          files: [...jobFiles].sort().join(", ")
        }]
      )
    }).pipe(Effect.provide(NodeContext.layer), Effect.orDie))

  it.scopedLive("leaves a link named like a job's file, and the file it points to, as they were", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const dataDir = yield* firstReleaseDataDir
      const outside = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-outside-" })
      const target = path.join(outside, "someone-elses.c1z")
      yield* fs.copyFile(path.join(fixture, `${succeeded}.c1z`), target)
      yield* fs.chmod(target, 0o644)
      yield* fs.symlink(target, path.join(dataDir, "20261205T213700Z-aaaa.c1z"))

      const logs = yield* Effect.flatMap(Harness, (service) => service.logs).pipe(Effect.provide(harness({ dataDir, logLevel: "info" })))

      assert.deepStrictEqual(logs.filter((line) => String(line.msg).includes("owner-only")).map((line) => line.msg), [
        "made an older build's sync job files owner-only (0600)"
      ])
      assert.strictEqual((yield* fs.stat(target)).mode & 0o777, 0o644)
      assert.strictEqual((yield* fs.stat(path.join(dataDir, `${succeeded}.c1z`))).mode & 0o777, 0o600)
    }).pipe(Effect.provide(NodeContext.layer), Effect.orDie))

  it.scopedLive("its directory, 0755 as it made it, is made owner-only at the first start, said once; another uid's is left as it is", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dataDir = yield* firstReleaseDataDir
      yield* fs.chmod(dataDir, 0o755)
      const directoryLines = (logs: ReadonlyArray<Record<string, unknown>>) =>
        logs.filter((line) => String(line.msg).includes("data directory owner-only"))
      const startLogs = (dir: string) =>
        Effect.flatMap(Harness, (service) => service.logs).pipe(Effect.provide(harness({ dataDir: dir, logLevel: "info" })))

      const first = yield* startLogs(dataDir)
      const mode = (yield* fs.stat(dataDir)).mode & 0o7777
      const second = yield* startLogs(dataDir)

      assert.deepStrictEqual(directoryLines(first), [{
        level: "info",
        msg: "made the data directory owner-only",
        directory: dataDir,
        previous_mode: "0755",
        mode: "0700"
      }])
      assert.deepStrictEqual([mode, directoryLines(second)], [0o700, []])

      // Root runs the tests here: it can give the directory away as an operator gives a volume's root.
      if (process.getuid?.() === 0) {
        const othersDir = yield* firstReleaseDataDir
        yield* fs.chmod(othersDir, 0o755)
        yield* fs.chown(othersDir, 4242, 4242)
        const logs = yield* startLogs(othersDir)
        assert.deepStrictEqual([(yield* fs.stat(othersDir)).mode & 0o7777, directoryLines(logs)], [0o755, []])
      }
    }).pipe(Effect.provide(NodeContext.layer), Effect.orDie))

  it.scopedLive(
    "a page token it issued is a 400 that says to list again without it, and the listing without it serves its sync",
    () =>
      Effect.gen(function*() {
        const dataDir = yield* firstReleaseDataDir
        const service = yield* serviceProcessOver(dataDir, ["--sandbox", "--port", "0"], { env: { BATON_HTTP_TOKENS: TestToken } })
        // The first release's token: base64url of the sync id and the last row id, unsigned.
        const token = Buffer.from(JSON.stringify({ s: succeeded, a: 1 })).toString("base64url")
        const answer = (query: string) =>
          Effect.promise(() =>
            fetch(`${service.url}/v1/resources?type=user&page_size=1${query}`, { headers: { authorization: `Bearer ${TestToken}` } })
              .then(async (response) => [response.status, await response.json()] as const)
          )

        assert.deepStrictEqual(yield* answer(`&page_token=${token}`), [400, {
          error: "InvalidRequest",
          field: "page_token",
          message: "page_token is not a token this service issued; list again without page_token"
        }])
        const [status, page] = yield* answer("")
        assert.deepStrictEqual([status, (page as { sync_id: string }).sync_id], [200, succeeded])
      }).pipe(Effect.provide(NodeContext.layer), Effect.orDie),
    60_000
  )

  it.scopedLive("a job it left running, found beside a lock already stale when the job started, ends at this start, not at its own start", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const dataDir = yield* firstReleaseDataDir
      // A newer build's lock, its process killed before the rollback to the first release (which ignores
      // it) ran the job (started 2026-12-05T21:36:10.696Z): last refreshed six minutes before.
      const lockFile = path.join(dataDir, "baton-fivetran-http.lock")
      yield* fs.writeFileString(
        lockFile,
        JSON.stringify({ pid: 1, hostname: "a-node-since-gone", started_at: "2026-12-05T21:20:00.000Z", claim: "0123456789abcdef" })
      )
      const refreshed = new Date("2026-12-05T21:30:00.000Z")
      yield* Effect.promise(() => utimes(lockFile, refreshed, refreshed))
      const before = Date.now()

      const listed = yield* Effect.flatMap(Harness, ({ client }) => Effect.orDie(client.syncs.list())).pipe(
        Effect.provide(harness({ dataDir }))
      )

      const interrupted = listed.items.find((job) => job.id === "20261205T213610Z-1ae5")
      assert.strictEqual(interrupted?.status, "failed")
      assert.isAtLeast(Date.parse(interrupted?.finished_at ?? ""), before)
    }).pipe(Effect.provide(NodeContext.layer), Effect.orDie))
})
