import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Stream } from "effect"
import { Command } from "@effect/platform"
import { assertExit, cliCommand, logFields, runCli } from "./support/CliProcess.js"
import { connectionFlags, firstRequestFrom, sandboxLayer } from "./support/Sandboxes.js"

/**
 * With JSON logs (a CronJob's), every line on stderr is a JSON object: the failure, the
 * interruption and the summary go through the logger like any log line, so a log pipeline parses
 * each and the level filters them; stdout stays a command's result.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-" }))

/** Every stderr line parses as a JSON object (the last line ends with a newline). */
const assertAllJson = (stderr: string) => {
  const lines = stderr.split("\n")
  assert.strictEqual(lines.pop(), "")
  for (const line of lines) assert.doesNotThrow(() => JSON.parse(line) as unknown, undefined, line)
}

describe("JSON logs", () => {
  it.scopedLive("a failed sync's error is one error-level JSON line with its reason, sync id and exit code", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { flags } = yield* connectionFlags
      const result = yield* runCli([...flags.slice(0, 4), "--api-secret", "not-the-secret-0123456789", "-f", `${dir}/out.c1z`], {
        env: { BATON_LOG_FORMAT: "json" }
      })
      assertExit(result, 1)
      assert.strictEqual(result.stdout, "")
      assertAllJson(result.stderr)
      const syncId = logFields(result.stderr).find((line) => line["msg"] === "syncing into the sync file")?.["c1z_sync_id"]
      assert.match(String(syncId), /^[0-9A-Za-z]{27}$/)
      assert.deepStrictEqual(logFields(result.stderr).filter((line) => line["level"] === "error"), [{
        level: "error",
        msg: "Fivetran rejected the API key or secret (401 on GET /v1/roles); check the api-key and api-secret settings",
        reason: "unauthorized",
        c1z_sync_id: syncId,
        exit_code: 1
      }])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a usage error is a JSON line too, before or after the settings are read, with exit code 2", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const fs = yield* FileSystem.FileSystem
      yield* fs.writeFileString(`${dir}/.baton.yaml`, "log-format: json\n")
      const [unknownFlag, badValue, fromFile] = yield* Effect.all([
        runCli(["--bogus-flag"], { env: { BATON_LOG_FORMAT: "json" } }),
        runCli(["--sandbox", "--concurrency", "0", "--log-format", "json"]),
        runCli(["--sandbox", "--concurrency", "0"], { cwd: dir, env: { BATON_LOG_FORMAT: "" } })
      ])
      const concurrency = { level: "error", msg: "--concurrency: expected a whole number from 1 to 64, got \"0\"", exit_code: 2 }
      // The last from .baton.yaml's log-format (an empty variable is unset).
      assert.deepStrictEqual(
        [unknownFlag, badValue, fromFile].map((result) => [result.exitCode, result.stdout, logFields(result.stderr)]),
        [
          [2, "", [{ level: "error", msg: "unknown flag '--bogus-flag' (see baton-fivetran --help)", exit_code: 2 }]],
          [2, "", [concurrency]],
          [2, "", [concurrency]]
        ]
      )
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("the summary is an info line: under --log-level warn it is left out, and --summary-file still has it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const fs = yield* FileSystem.FileSystem
      const [info, warn] = yield* Effect.all([
        runCli(["--sandbox", "-f", `${dir}/info.c1z`, "--log-format", "json"]),
        runCli(["--sandbox", "-f", `${dir}/warn.c1z`, "--log-format", "json", "--log-level", "warn", "--summary-file", `${dir}/warn.json`])
      ])
      assertExit(info, 0)
      assertExit(warn, 0)
      assertAllJson(info.stderr)
      const summary = logFields(info.stderr).find((line) => line["msg"] === "sync complete")
      assert.deepInclude(summary, { level: "info", file: `${dir}/info.c1z`, resources_by_type: { user: 25, role: 6, group: 4, team: 3 } })
      assert.strictEqual(warn.stderr, "")
      const written = JSON.parse(yield* fs.readFileString(`${dir}/warn.json`)) as Record<string, unknown>
      assert.deepStrictEqual(written["resources"], { user: 25, role: 6, group: 4, team: 3 })
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("an interrupted sync says so in a warn line with exit code 130 and reason shutdown", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const sandbox = yield* Sandbox
      const { flags } = yield* connectionFlags
      const file = `${dir}/out.c1z`
      // Every answer takes 1.5 s, so the sync is still running when the first request has been served.
      yield* sandbox.setFaults({ latency: { minMillis: 1500, maxMillis: 1500 } })
      const child = yield* Command.start(cliCommand([...flags, "-f", file, "--log-format", "json"]))
      const stderr = yield* Effect.fork(child.stderr.pipe(Stream.decodeText(), Stream.mkString))
      yield* firstRequestFrom(child)
      yield* child.kill("SIGTERM")
      assert.strictEqual(yield* child.exitCode, 130)
      const output = yield* Effect.flatten(stderr.await)
      assertAllJson(output)
      // The sync's id, as on its every line: the service's cancelled job's line has its own too.
      // One msg whatever the file, which is a field.
      const started = logFields(output).filter((line) => line["msg"] === "syncing into the sync file")
      assert.deepStrictEqual(started.map((line) => line["file"]), [file])
      const syncId = started[0]?.["c1z_sync_id"]
      assert.match(String(syncId), /^[0-9A-Za-z]{27}$/)
      assert.deepStrictEqual(logFields(output).filter((line) => line["level"] !== "info"), [{
        level: "warn",
        msg: "interrupted: the sync file was left as it was",
        c1z_sync_id: syncId,
        file,
        exit_code: 130,
        // The word the HTTP service's job cancelled by its own stop has on its line and metric.
        reason: "shutdown"
      }])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a provisioning action interrupted while its write is unanswered says the change may or may not have been made, and that a repeat is safe", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const { flags } = yield* connectionFlags
      const snapshot = yield* sandbox.snapshot
      const team = snapshot.teams[0]!.id
      // Not yet a member: the grant writes.
      const user = snapshot.users.find((u) => !snapshot.team_users.some((row) => row.team_id === team && row.user_id === u.id))!
      const grant = [
        "-p",
        "--grant-entitlement",
        `team:${team}:member`,
        "--grant-principal",
        user.id,
        "--grant-principal-type",
        "user"
      ]
      // Stopped while its write is held back: the hook sees the POST arrive before its latency. Stopped
      // before any write was sent, it says nothing was changed (interrupted-provisioning.test.ts).
      yield* sandbox.setFaults({ latency: { minMillis: 1500, maxMillis: 1500 } })
      const arrived = yield* Deferred.make<void>()
      yield* sandbox.setRequestHook((request) => request.method === "POST" ? Deferred.succeed(arrived, undefined) : Effect.void)
      const child = yield* Command.start(cliCommand([...flags, ...grant, "--log-format", "json"]))
      const output = yield* Effect.fork(Effect.all([
        child.stdout.pipe(Stream.decodeText(), Stream.mkString),
        child.stderr.pipe(Stream.decodeText(), Stream.mkString)
      ]))
      yield* Deferred.await(arrived)
      yield* child.kill("SIGTERM")
      assert.strictEqual(yield* child.exitCode, 130)
      const [stdout, stderr] = yield* Effect.flatten(output.await)
      assert.strictEqual(stdout, "")
      assertAllJson(stderr)
      // One msg whatever the action, which is a field.
      const msg = "interrupted: the change may or may not have been made in Fivetran; run the same command again to finish it"
      assert.deepStrictEqual(logFields(stderr).filter((line) => String(line["msg"]).startsWith("interrupted:")), [
        { level: "warn", msg, action: "grant", exit_code: 130 }
      ])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a sync's first lines have one msg each, whatever the file and the sandbox: those are fields", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const result = yield* runCli(["--sandbox", "-f", `${dir}/out.c1z`, "--log-format", "json"])
      assertExit(result, 0)
      const [sandbox, start] = logFields(result.stderr)
      const { base_url: baseUrl, c1z_sync_id: sandboxSyncId, ...sandboxFields } = sandbox!
      assert.deepStrictEqual(sandboxFields, { level: "info", msg: "embedded Fivetran sandbox listening", preset: "small" })
      assert.match(String(baseUrl), /^http:\/\/127\.0\.0\.1:\d+$/)
      const { c1z_sync_id: syncId, ...startFields } = start!
      assert.deepStrictEqual(startFields, { level: "info", msg: "syncing into the sync file", file: `${dir}/out.c1z` })
      assert.match(String(syncId), /^[0-9A-Za-z]{27}$/)
      assert.strictEqual(sandboxSyncId, syncId)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a review command's refusal is a JSON line on stderr; its stdout stays empty", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const result = yield* runCli(["resources", "-f", `${dir}/missing.c1z`, "-o", "json", "--log-format", "json"])
      assert.deepStrictEqual([result.exitCode, result.stdout, logFields(result.stderr)], [
        2,
        "",
        [{ level: "error", msg: `--file ${dir}/missing.c1z: no such file`, exit_code: 2 }]
      ])
    }).pipe(Effect.provide(NodeContext.layer)))
})
