import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { spawnSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { logFields } from "./Harness.js"
import { awaitSyncJob, sandboxServiceArgs, serviceProcessOver, startSyncJob } from "./ServiceProcess.js"

/**
 * The service in a container with a low open-file limit, for a moment out of descriptors (a sync's
 * connections at --concurrency 64, many exports' copies): a refresh of the data directory's lock
 * that met EMFILE stopped the service, exit 1, as if the lock file had been removed. And a sync at
 * --concurrency 64 under `ulimit -n 64`: the service's one client kept the connections of the
 * sync's lists open, idle, after its last row, so the finished sync failed opening its compressed
 * file (EMFILE), every request of it spent for nothing.
 */

const Token = "open-file-limit-test-token"

/** Sets the running process `pid`'s open-file limit (`soft:hard`, as `prlimit --nofile` takes it). */
const setOpenFileLimit = (pid: number, limit: string) =>
  Effect.sync(() => {
    const result = spawnSync("prlimit", ["--pid", String(pid), `--nofile=${limit}`], { encoding: "utf8" })
    assert.strictEqual(result.status, 0, `prlimit failed: ${result.stderr}`)
  })

/** The lowest descriptor `pid` has free: as its soft limit, the process can open nothing more. */
const lowestFreeDescriptor = (pid: number) =>
  Effect.sync(() => {
    const open = new Set(readdirSync(`/proc/${pid}/fd`).map(Number))
    let fd = 0
    while (open.has(fd)) fd++
    return fd
  })

/** `pid`'s open-file limit now, as `soft:hard`. */
const openFileLimitOf = (pid: number) =>
  Effect.sync(() => {
    const line = readFileSync(`/proc/${pid}/limits`, "utf8").split("\n").find((row) => row.startsWith("Max open files"))
    const [soft, hard] = line!.replace("Max open files", "").trim().split(/\s+/)
    return `${soft}:${hard}`
  })

/** The RefreshInterval of the data directory's lock (DataDirLock.ts), and a second more. */
const OneLockRefresh = "11 seconds"

describe("the service under a low open-file limit", () => {
  it.scopedLive(
    "whose lock refresh meets EMFILE goes on, saying so, and serves once descriptors are free again",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* fs.makeTempDirectoryScoped()
        const service = yield* serviceProcessOver(dataDir, ["--sandbox", "--port", "0", "--log-format", "json"], {
          env: { BATON_HTTP_TOKENS: Token }
        })
        const pid = service.child.pid!
        const limit = yield* openFileLimitOf(pid)
        // Idle, the service opens and closes nothing but the lock's read: the descriptors it has stay as they are.
        yield* setOpenFileLimit(pid, `${yield* lowestFreeDescriptor(pid)}:${limit.split(":")[1]}`)
        yield* Effect.sleep(OneLockRefresh)
        // Was exit 1: `error: the data directory's lock file <dir>/baton-fivetran-http.lock was removed or cannot be read: ...`.
        assert.strictEqual(service.child.exitCode, null, yield* service.stderr)
        yield* setOpenFileLimit(pid, limit)

        const health = yield* Effect.promise(() => fetch(`${service.url}/healthz`).then(async (r) => [r.status, await r.text()]))
        assert.deepStrictEqual(health, [200, `{"status":"ok"}`])
        const warnings = (yield* service.stderr).split("\n").filter((line) => line.startsWith("{")).map(logFields)
          .filter((line) => line.level === "warn")
        assert.isAbove(warnings.length, 0)
        assert.deepStrictEqual(
          warnings.map(({ error, ...line }) => [line, /^EMFILE: too many open files, open '.+\.lock'$/.test(String(error))]),
          warnings.map(() => [{
            level: "warn",
            msg: "could not read the data directory's lock file: it is still taken as this process's",
            lock_file: `${dataDir}/baton-fivetran-http.lock`
          }, true])
        )
        assert.strictEqual(JSON.parse(yield* fs.readFileString(`${dataDir}/baton-fivetran-http.lock`)).pid, pid)
        assert.strictEqual(yield* service.stop, 0)
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )

  it.scopedLive("syncing at --concurrency 64 under ulimit -n 64 finishes its file", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dataDir = yield* fs.makeTempDirectoryScoped()
      const launch = yield* sandboxServiceArgs(Token)
      const service = yield* serviceProcessOver(dataDir, [...launch.args, "--concurrency", "64", "--log-format", "json"], {
        env: launch.env
      })
      // Idle, the service holds ~21 descriptors: 64 leaves room for the file, not for 64 connections too.
      yield* setOpenFileLimit(service.child.pid!, "64:64")
      const started = yield* startSyncJob(service, Token)
      const ended = yield* awaitSyncJob(service, Token, started.id, ["succeeded", "failed"], "120 seconds")
      // Was failed: `could not write the sync output: could not compress the sync database: an error (EMFILE); ...`.
      assert.deepStrictEqual([ended.status, ended.error], ["succeeded", null])
      const job = yield* Effect.promise(() =>
        fetch(`${service.url}/v1/syncs/${started.id}`, { headers: { authorization: `Bearer ${Token}` } })
          .then((r) => r.json() as Promise<{ summary: { resources: unknown }; file_bytes: number }>)
      )
      assert.deepStrictEqual(job.summary.resources, { user: 1000, role: 7, group: 60, team: 40 })
      assert.strictEqual(Number((yield* fs.stat(`${dataDir}/${started.id}.c1z`)).size), job.file_bytes)
      const errors = (yield* service.stderr).split("\n").filter((line) => line.startsWith("{")).map(logFields)
        .filter((line) => line.level === "error")
      assert.deepStrictEqual(errors, [])
      assert.strictEqual(yield* service.stop, 0)
    }).pipe(
      Effect.provide(Layer.merge(
        // In the test's process, outside the limit; its latency keeps many requests in flight at once.
        Sandbox.layer({ snapshot: generatePreset("medium"), port: 0, faults: { latency: { minMillis: 20, maxMillis: 20 } } }),
        NodeContext.layer
      ))
    ), 120_000)
})
