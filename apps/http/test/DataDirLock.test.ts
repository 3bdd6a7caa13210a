import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { hostname } from "node:os"
import { logFields } from "./Harness.js"
import { runServiceOnce, sandboxServiceArgs, serviceProcessOver } from "./ServiceProcess.js"

/**
 * Two service processes on one data directory (a RollingUpdate, two replicas, a second start by
 * hand): the second refuses while the first is alive, and takes over the lock of one that is gone.
 */

const Token = "data-dir-lock-test-token"
const LockFile = "baton-fivetran-http.lock"

interface LockHolder {
  readonly pid: number
  readonly hostname: string
  readonly started_at: string
  readonly claim: string
}

const readLock = (dataDir: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(`${dataDir}/${LockFile}`)).pipe(
    Effect.map((text) => JSON.parse(text) as LockHolder),
    Effect.orDie
  )

/** The refusal's line; the age of the holder's last refresh is read from it, the rest is exact. */
const refusal = (dataDir: string, holder: string, stderr: string) => {
  const age = /was refreshed (\d+) s ago/.exec(stderr)?.[1] ?? "(none)"
  return `error: the data directory "${dataDir}" is in use by another baton-fivetran-http (${holder}; its lock file ` +
    `${dataDir}/${LockFile} was refreshed ${age} s ago): stop that process first, or in Kubernetes run one replica ` +
    "with strategy: Recreate (docs/deploy.md); a lock not refreshed for 30 s is taken over\n"
}

/** The service's JSON log lines at warn, without their time. */
const warnings = (stderr: string) =>
  stderr.split("\n").filter((line) => line.startsWith("{")).map(logFields).filter((line) => line.level === "warn")

const sandboxArgs = ["--sandbox", "--port", "0", "--log-format", "json"]
/** The token as a deployment gives it: a `--token` would add a warning to the ones these tests list. */
const sandboxEnv = { env: { BATON_HTTP_TOKENS: Token } }

/** Another host's lock, as a pod on another node writes it. */
const foreignLock: LockHolder = {
  pid: 4242,
  hostname: "baton-fivetran-http-7d9f-xk2p4",
  started_at: "2026-12-01T08:00:00.000Z",
  claim: "0123456789abcdef"
}
const foreignHolder = `pid 4242 on host baton-fivetran-http-7d9f-xk2p4, started 2026-12-01T08:00:00.000Z`

describe("the data directory's lock", () => {
  it.scopedLive(
    "a second process is refused while the first runs, and the first's running sync is untouched",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const sandbox = yield* Sandbox
        const dataDir = yield* fs.makeTempDirectoryScoped()
        const { args, env } = yield* sandboxServiceArgs(Token)
        const first = yield* serviceProcessOver(dataDir, args, { env })
        const headers = { authorization: `Bearer ${Token}` }
        const jobOf = (id: string) =>
          Effect.promise(() => fetch(`${first.url}/v1/syncs/${id}`, { headers }).then((r) => r.json() as Promise<{ status: string }>))
        // The sync waits for Fivetran's rate limit (10 minutes) until the test ends it: running all along.
        yield* sandbox.setFaults({ rateLimitBurst: { requests: 100, retryAfterSeconds: 600 } })
        const job = yield* Effect.promise(() =>
          fetch(`${first.url}/v1/syncs`, { method: "POST", headers }).then((r) => r.json() as Promise<{ id: string }>)
        )
        yield* jobOf(job.id).pipe(
          Effect.repeat({ schedule: Schedule.spaced("100 millis"), until: (current) => current.status === "waiting_for_rate_limit" }),
          Effect.timeout("60 seconds"),
          Effect.orDie
        )
        const waiting = yield* jobOf(job.id)
        const filesBefore = (yield* fs.readDirectory(dataDir)).sort()
        const holder = yield* readLock(dataDir)

        const cwd = yield* fs.makeTempDirectoryScoped()
        const second = yield* runServiceOnce([...args, "--data-dir", dataDir], { cwd, env })

        assert.deepStrictEqual([holder.pid, holder.hostname], [first.child.pid, hostname()])
        assert.strictEqual((yield* fs.stat(`${dataDir}/${LockFile}`)).mode & 0o777, 0o600)
        assert.deepStrictEqual(
          second,
          {
            code: 2,
            stdout: "",
            stderr: refusal(dataDir, `pid ${holder.pid} on host ${holder.hostname}, started ${holder.started_at}`, second.stderr)
          }
        )
        assert.deepStrictEqual(yield* jobOf(job.id), waiting)
        assert.deepStrictEqual((yield* fs.readDirectory(dataDir)).sort(), filesBefore)
        assert.deepStrictEqual(yield* readLock(dataDir), holder)

        // A clean stop removes the lock: the next start needs no takeover.
        assert.strictEqual(yield* first.stop, 0)
        assert.isFalse(yield* fs.exists(`${dataDir}/${LockFile}`))
      }).pipe(
        Effect.provide(Sandbox.layer({ snapshot: generatePreset("small"), port: 0 })),
        Effect.provide(NodeContext.layer)
      ),
    120_000
  )

  it.scopedLive("the lock of a process killed on this host is taken over at once", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dataDir = yield* fs.makeTempDirectoryScoped()
      const first = yield* serviceProcessOver(dataDir, sandboxArgs, sandboxEnv)
      const left = yield* readLock(dataDir)
      const exited = new Promise((resolve) => first.child.once("exit", resolve))
      first.child.kill("SIGKILL")
      yield* Effect.promise(() => exited)
      const refreshedAt = (yield* fs.stat(`${dataDir}/${LockFile}`)).mtime

      const second = yield* serviceProcessOver(dataDir, sandboxArgs, sandboxEnv)
      const taken = yield* readLock(dataDir)

      assert.deepStrictEqual(yield* readLock(dataDir), taken)
      assert.deepStrictEqual([left.pid, taken.pid, taken.hostname], [first.child.pid, second.child.pid, hostname()])
      assert.deepStrictEqual(warnings(yield* second.stderr), [{
        level: "warn",
        msg: "took over the data directory's lock",
        lock_file: `${dataDir}/${LockFile}`,
        reason: "its process is gone",
        previous_holder: `pid ${left.pid} on host ${left.hostname}, started ${left.started_at}`,
        last_refreshed_at: refreshedAt.pipe((mtime) => mtime._tag === "Some" ? mtime.value.toISOString() : "(none)")
      }])
      assert.strictEqual(yield* second.stop, 0)
      assert.isFalse(yield* fs.exists(`${dataDir}/${LockFile}`))
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive("another host's lock not refreshed for 30 s is taken over", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dataDir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(`${dataDir}/${LockFile}`, JSON.stringify(foreignLock))
      const lastRefresh = new Date("2026-01-05T10:00:00.000Z")
      yield* fs.utimes(`${dataDir}/${LockFile}`, lastRefresh, lastRefresh)

      const service = yield* serviceProcessOver(dataDir, sandboxArgs, sandboxEnv)

      assert.deepStrictEqual(
        [(yield* readLock(dataDir)).pid, (yield* readLock(dataDir)).hostname],
        [service.child.pid, hostname()]
      )
      assert.deepStrictEqual(warnings(yield* service.stderr), [{
        level: "warn",
        msg: "took over the data directory's lock",
        lock_file: `${dataDir}/${LockFile}`,
        reason: "it was not refreshed for 30 s",
        previous_holder: foreignHolder,
        last_refreshed_at: "2026-01-05T10:00:00.000Z"
      }])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive(
    "a process whose lock another took over stops at its next refresh, and leaves the other's lock",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* fs.makeTempDirectoryScoped()
        const service = yield* serviceProcessOver(dataDir, sandboxArgs, sandboxEnv)
        const exited = new Promise<number | null>((resolve) => service.child.once("exit", resolve))
        // As a takeover writes it (another host's process that found this lock stale): a new file renamed over the lock.
        const lock = JSON.stringify(foreignLock)
        yield* fs.writeFileString(`${dataDir}/${LockFile}.taking-over`, lock)
        yield* fs.rename(`${dataDir}/${LockFile}.taking-over`, `${dataDir}/${LockFile}`)

        // Within one refresh (10 s) of the takeover.
        const code = yield* Effect.promise(() => exited)
        const lines = (yield* service.stderr).trimEnd().split("\n")

        assert.strictEqual(code, 1)
        assert.strictEqual(
          lines.at(-1),
          `error: the data directory "${dataDir}" was taken over by another baton-fivetran-http (${foreignHolder}), ` +
            "which found this process's lock not refreshed for 30 s or took it over at the same moment: this process " +
            "stops, so that one process writes there"
        )
        assert.strictEqual(yield* fs.readFileString(`${dataDir}/${LockFile}`), lock)
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "a process whose lock another took over writes nothing more there as it stops: its running job's record is the other's to end",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const sandbox = yield* Sandbox
        const dataDir = yield* fs.makeTempDirectoryScoped()
        const { args, env } = yield* sandboxServiceArgs(Token)
        const service = yield* serviceProcessOver(dataDir, [...args, "--log-format", "json"], { env })
        const exited = new Promise<number | null>((resolve) => service.child.once("exit", resolve))
        const headers = { authorization: `Bearer ${Token}` }
        // The sync waits for Fivetran's rate limit (10 minutes): running when the lock is taken over.
        yield* sandbox.setFaults({ rateLimitBurst: { requests: 100, retryAfterSeconds: 600 } })
        const job = yield* Effect.promise(() =>
          fetch(`${service.url}/v1/syncs`, { method: "POST", headers }).then((r) => r.json() as Promise<{ id: string }>)
        )
        yield* Effect.promise(() =>
          fetch(`${service.url}/v1/syncs/${job.id}`, { headers }).then((r) => r.json() as Promise<{ status: string }>)
        ).pipe(
          Effect.repeat({ schedule: Schedule.spaced("100 millis"), until: (current) => current.status === "waiting_for_rate_limit" }),
          Effect.timeout("60 seconds"),
          Effect.orDie
        )
        const recordBefore = yield* fs.readFileString(`${dataDir}/${job.id}.json`)
        const lock = JSON.stringify(foreignLock)
        yield* fs.writeFileString(`${dataDir}/${LockFile}.taking-over`, lock)
        yield* fs.rename(`${dataDir}/${LockFile}.taking-over`, `${dataDir}/${LockFile}`)

        const code = yield* Effect.promise(() => exited)
        assert.strictEqual(code, 1)
        // Before: it wrote the job cancelled (shutdown) over the record, where the new holder had
        // listed it failed (interrupted) at its start: the two disagreed, and the next start read this one.
        assert.strictEqual(yield* fs.readFileString(`${dataDir}/${job.id}.json`), recordBefore)
        assert.deepStrictEqual(
          warnings(yield* service.stderr).filter((line) => line.msg === "sync job record not written").map((line) => ({
            msg: line.msg,
            job: line["job"],
            reason: line["reason"]
          })),
          [{
            msg: "sync job record not written",
            job: job.id,
            reason: "this process no longer holds the data directory's lock (another took it over, or it was removed)"
          }]
        )
        assert.strictEqual(yield* fs.readFileString(`${dataDir}/${LockFile}`), lock)
      }).pipe(
        Effect.provide(Sandbox.layer({ snapshot: generatePreset("small"), port: 0 })),
        Effect.provide(NodeContext.layer)
      ),
    120_000
  )

  it.scopedLive("a process whose lock file was removed by hand stops at its next refresh, saying so", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dataDir = yield* fs.makeTempDirectoryScoped()
      const service = yield* serviceProcessOver(dataDir, sandboxArgs, sandboxEnv)
      const exited = new Promise<number | null>((resolve) => service.child.once("exit", resolve))
      yield* fs.remove(`${dataDir}/${LockFile}`)

      const code = yield* Effect.promise(() => exited)
      const lines = (yield* service.stderr).trimEnd().split("\n")

      assert.strictEqual(code, 1)
      assert.strictEqual(
        lines.at(-1),
        `error: the data directory's lock file ${dataDir}/${LockFile} was removed or cannot be read: this process ` +
          "stops, so that one process writes there"
      )
      assert.isFalse(yield* fs.exists(`${dataDir}/${LockFile}`))
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive(
    "a start that cannot write its lock (a full disk) leaves none, so the next start is not refused",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* fs.makeTempDirectoryScoped()
        const cwd = yield* fs.makeTempDirectoryScoped()

        // No byte may be written: the lock file's creation succeeds, its write fails (EFBIG), as on a full volume.
        const refused = yield* runServiceOnce([...sandboxArgs, "--data-dir", dataDir], { cwd, fileSizeLimitBlocks: 0, ...sandboxEnv })
        const left = (yield* fs.readDirectory(dataDir)).sort()
        const next = yield* serviceProcessOver(dataDir, sandboxArgs, sandboxEnv)

        assert.deepStrictEqual(
          { code: refused.code, stdout: refused.stdout, stderr: refused.stderr.replace(/: [^:]*EFBIG.*$/s, ": (EFBIG)") },
          { code: 2, stdout: "", stderr: `error: could not create the data directory's lock file ${dataDir}/${LockFile}: (EFBIG)` }
        )
        assert.deepStrictEqual(left, ["tmp"])
        assert.deepStrictEqual(warnings(yield* next.stderr), [])
        assert.strictEqual((yield* readLock(dataDir)).pid, next.child.pid)
        assert.strictEqual(yield* next.stop, 0)
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "a live holder's lock is refused to a start whose clock runs 40 s ahead, and the holder goes on",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* fs.makeTempDirectoryScoped()
        const first = yield* serviceProcessOver(dataDir, sandboxArgs, sandboxEnv)
        const holder = yield* readLock(dataDir)
        // Another host's clock 40 s ahead of the holder's, as Node reads the time (two processes here share one clock).
        const cwd = yield* fs.makeTempDirectoryScoped()
        yield* fs.writeFileString(`${cwd}/clock-ahead.cjs`, "const now = Date.now; Date.now = () => now() + 40_000\n")

        const second = yield* runServiceOnce([...sandboxArgs, "--data-dir", dataDir], {
          cwd,
          env: { ...sandboxEnv.env, NODE_OPTIONS: `--require ${cwd}/clock-ahead.cjs` }
        })

        assert.deepStrictEqual(second, {
          code: 2,
          stdout: "",
          stderr: refusal(dataDir, `pid ${holder.pid} on host ${holder.hostname}, started ${holder.started_at}`, second.stderr)
        })
        assert.deepStrictEqual(yield* readLock(dataDir), holder)
        assert.strictEqual(yield* first.stop, 0)
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive("another host's fresh lock is refused, and left as it was", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dataDir = yield* fs.makeTempDirectoryScoped()
      const lock = JSON.stringify(foreignLock)
      yield* fs.writeFileString(`${dataDir}/${LockFile}`, lock)
      const cwd = yield* fs.makeTempDirectoryScoped()

      const refused = yield* runServiceOnce([...sandboxArgs, "--data-dir", dataDir], { cwd, ...sandboxEnv })

      assert.deepStrictEqual(refused, { code: 2, stdout: "", stderr: refusal(dataDir, foreignHolder, refused.stderr) })
      assert.strictEqual(yield* fs.readFileString(`${dataDir}/${LockFile}`), lock)
      assert.deepStrictEqual((yield* fs.readDirectory(dataDir)).sort(), [LockFile, "tmp"])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
