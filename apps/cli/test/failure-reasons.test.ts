import { Command, FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { Effect, Stream } from "effect"
import { assertExit, assertNoSecret, binPath, type CliResult, logFields, runCli } from "./support/CliProcess.js"
import { startSandboxCommand } from "./support/SandboxCommand.js"
import { connectionFlags, sandboxLayer } from "./support/Sandboxes.js"

/**
 * A failed sync's JSON error line says why in `reason`, a word of connector-core's closed set that
 * the HTTP service's `sync job failed` line and `baton_sync_jobs_total` use too: a CronJob's log
 * alert matches it, not the message's wording. Before, the line had only the message and `exit_code`.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-reasons-" }))

/**
 * The CLI run under `ulimit -f 16` (16 blocks): a write past it fails with EFBIG (Node ignores
 * SIGXFSZ), as a full disk's does, for any user; root writes past a directory's permissions.
 */
const runWithFileSizeLimit = (args: ReadonlyArray<string>) =>
  Effect.scoped(Effect.gen(function*() {
    const limited = Command.make("sh", "-c", "ulimit -f 16 && exec \"$@\"", "sh", process.execPath, binPath, ...args).pipe(
      Command.env({ PATH: process.env.PATH, HOME: process.env.HOME }, { extendEnv: false })
    )
    const running = yield* Command.start(limited)
    const [stdout, stderr, exitCode] = yield* Effect.all(
      [text(running.stdout), text(running.stderr), running.exitCode],
      { concurrency: "unbounded" }
    )
    return { exitCode, stdout, stderr }
  }))

const text = <E>(stream: Stream.Stream<Uint8Array, E>) => stream.pipe(Stream.decodeText(), Stream.mkString)

/** The run's error-level lines, without their time. */
const errorLines = (stderr: string) => logFields(stderr).filter((line) => line["level"] === "error")

/**
 * The sync id every line of the run's sync names, as its first line (`syncing into`) gives it: the
 * error line names it too, where a log search by the id found every line of a failed sync but why.
 */
const syncIdOf = (stderr: string) => {
  const [first] = logFields(stderr)
  assert.strictEqual(first?.["msg"], "syncing into the sync file")
  assert.match(String(first?.["c1z_sync_id"]), /^[0-9A-Za-z]{27}$/)
  return first!["c1z_sync_id"]
}

/** A sync that failed for its storage: exit 1 and one error line, reason storage, naming the sync; that line's message. */
const storageFailure = (result: CliResult) => {
  assertExit(result, 1)
  const lines = errorLines(result.stderr)
  assert.deepStrictEqual(lines.map(({ msg: _msg, ...fields }) => fields), [
    { level: "error", reason: "storage", c1z_sync_id: syncIdOf(result.stderr), exit_code: 1 }
  ])
  return String(lines[0]!["msg"])
}

// Side by side: each test has its own sandbox and directory, and the 5xx one spends most of its
// time in the client's retry backoff, not on the CPU.
describe.concurrent("a failed sync's reason", () => {
  it.scopedLive("a secret Fivetran refuses: unauthorized", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { flags } = yield* connectionFlags
      const secret = "not-the-secret-0123456789"
      const result = yield* runCli([...flags.slice(0, 4), "--api-secret", secret, "--file", `${dir}/out.c1z`, "--log-format", "json"])
      assertExit(result, 1)
      assertNoSecret(result, secret)
      assert.deepStrictEqual(errorLines(result.stderr), [{
        level: "error",
        msg: "Fivetran rejected the API key or secret (401 on GET /v1/roles); check the api-key and api-secret settings",
        reason: "unauthorized",
        c1z_sync_id: syncIdOf(result.stderr),
        exit_code: 1
      }])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)), { timeout: 60_000 })

  it.scopedLive(
    "a key and secret given in each other's place: unauthorized, saying they look swapped, never either",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const { flags, key } = yield* connectionFlags
        // The base URL, then the system key's secret as the key and its key as the secret.
        const swapped = [...flags.slice(0, 2), "--api-key", key.secret, "--api-secret", key.key]
        const [json, consoleRun, provisioning] = yield* Effect.all([
          runCli([...swapped, "--file", `${dir}/out.c1z`, "--log-format", "json"]),
          runCli([...swapped, "--file", `${dir}/out.c1z`, "--log-format", "console"]),
          runCli([
            ...swapped,
            "-p",
            "--delete-resource",
            "no-such-user",
            "--delete-resource-type",
            "user",
            "--log-format",
            "console"
          ])
        ])
        const hint = "the key given has a secret's shape and the secret a key's: they look swapped"
        for (const result of [json, consoleRun, provisioning]) {
          assertExit(result, 1)
          assertNoSecret(result, key.secret)
          assertNoSecret(result, key.key)
        }
        assert.deepStrictEqual(errorLines(json.stderr), [{
          level: "error",
          msg: `Fivetran rejected the API key or secret (401 on GET /v1/roles); ${hint}; check the api-key and api-secret settings`,
          reason: "unauthorized",
          c1z_sync_id: syncIdOf(json.stderr),
          exit_code: 1
        }])
        assert.deepStrictEqual(consoleRun.stderr.split("\n").filter((line) => line.startsWith("error: ")), [
          `error: Fivetran rejected the API key or secret (401 on GET /v1/roles); ${hint}; check the api-key and api-secret settings`
        ])
        assert.deepStrictEqual(provisioning.stderr.split("\n").filter((line) => line.startsWith("error: ")), [
          "error: cannot delete user:no-such-user: GET /v1/users/no-such-user: Fivetran rejected the API key or secret " +
          `(401 Unauthorized); ${hint}; check the api-key and api-secret settings; nothing was changed in Fivetran (no write ` +
          "reached it, or Fivetran turned it away); running the same command again is safe"
        ])
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    { timeout: 60_000 }
  )

  it.scopedLive("`baton-fivetran sandbox --server-errors 1`, every request a 5xx: server_error", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { connection } = yield* startSandboxCommand(["--server-errors", "1", "--server-error-statuses", "503"])
      const result = yield* runCli([...connection, "--file", `${dir}/out.c1z`, "--log-format", "json"])
      assertExit(result, 1)
      assert.deepStrictEqual(errorLines(result.stderr), [{
        level: "error",
        msg: "could not list roles: GET /v1/roles: Fivetran answered 503; gave up after 5 attempts",
        reason: "server_error",
        c1z_sync_id: syncIdOf(result.stderr),
        exit_code: 1
      }])
      assert.isFalse(yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.exists(`${dir}/out.c1z`)))
    }).pipe(Effect.provide(NodeContext.layer)), { timeout: 90_000 })

  it.scopedLive("a sync file the disk will not take (a 16-block file size limit): storage", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { flags } = yield* connectionFlags
      const result = yield* runWithFileSizeLimit([...flags, "--file", `${dir}/out.c1z`, "--log-format", "json"])
      // The scratch file's name has the process id and a random part.
      assert.match(
        storageFailure(result),
        new RegExp(
          `^could not write the sync output: ${dir}/\\.out\\.c1z\\.\\d+\\.[0-9a-f]{12}\\.db: could not create the sync database: ` +
            "disk I/O error \\(check the path, free disk space and permissions\\)$"
        )
      )
      assert.deepStrictEqual(yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readDirectory(dir)), [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)), { timeout: 60_000 })

  it.scopedLive(
    "a summary that cannot be written once the sync completed (its directory gone): storage, not internal",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const { flags } = yield* connectionFlags
        // The directory the checks found goes as the sync's first request arrives, before the summary is written.
        yield* fs.makeDirectory(`${dir}/summaries`)
        const sandbox = yield* Sandbox
        yield* sandbox.setRequestHook(() => Effect.ignore(fs.remove(`${dir}/summaries`, { recursive: true })))
        const result = yield* runCli([
          ...flags,
          "--file",
          `${dir}/out.c1z`,
          "--summary-file",
          `${dir}/summaries/summary.json`,
          "--log-format",
          "json"
        ])
        // Before, `internal` (a bug): an alert routed by reason sent a full or lost volume to the developers.
        assert.match(
          storageFailure(result),
          new RegExp(
            `^the sync completed and ${dir}/out\\.c1z was written, but the summary ${dir}/summaries/summary\\.json could not ` +
              "be written: ENOENT: .* \\(check the path, free disk space and permissions; there is no summary file\\)$"
          )
        )
        assert.deepStrictEqual(yield* fs.readDirectory(dir), ["out.c1z"])
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    { timeout: 60_000 }
  )

  it.scopedLive("in console format the error line is as it was, with no reason", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { flags } = yield* connectionFlags
      const result = yield* runCli([...flags.slice(0, 4), "--api-secret", "not-the-secret-0123456789", "--file", `${dir}/out.c1z`])
      assertExit(result, 1)
      assert.deepStrictEqual(result.stderr.split("\n").filter((line) => line.startsWith("error:")), [
        "error: Fivetran rejected the API key or secret (401 on GET /v1/roles); check the api-key and api-secret settings"
      ])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)), { timeout: 60_000 })
})
