import { NodeContext } from "@effect/platform-node"
import { FileSystem } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createServer, type Server } from "node:net"
import { assertExit, assertNoSecret, logFields, runCli } from "./support/CliProcess.js"

/**
 * The refusals issue 12 found unclear, each now one `error: ...` line naming the flag and the
 * value, exit 2, before any work: nothing is synced, nothing is written.
 */

const listening = Effect.acquireRelease(
  Effect.async<Server>((resume) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      resume(Effect.succeed(server))
    })
  }),
  (server) =>
    Effect.async<void>((resume) => {
      server.close(() => resume(Effect.void))
    })
)

describe("start-up refusals", () => {
  it.scopedLive("sandbox --port on a busy port names the port and suggests --port 0", () =>
    Effect.gen(function*() {
      const busy = yield* listening
      const port = (busy.address() as { port: number }).port
      const result = yield* runCli(["sandbox", "--port", String(port)])
      assertExit(result, 2)
      assert.strictEqual(
        result.stderr,
        `error: --port ${port}: the port is already in use on 127.0.0.1; choose another port, or --port 0 for any free one\n`
      )
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("-f in a directory that does not exist is refused before the sync runs", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-" })
      const result = yield* runCli(["--sandbox", "-f", `${dir}/missing/out.c1z`, "--log-format", "json"])
      assertExit(result, 2)
      // With JSON logs the refusal is a JSON line like every other, with the exit code.
      assert.deepStrictEqual(logFields(result.stderr), [{
        level: "error",
        msg: `--file ${dir}/missing/out.c1z: the directory ${dir}/missing does not exist; create it first or choose another path`,
        exit_code: 2
      }])
      assert.strictEqual(result.stderr.split("\n").length, 2)
      assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("-f or --summary-file under a path that names a file says it is a file, not that it does not exist", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-" })
      yield* fs.writeFileString(`${dir}/previous.c1z`, "")
      const [file, summary] = yield* Effect.all([
        runCli(["--sandbox", "-f", "previous.c1z/out.c1z"], { cwd: dir }),
        runCli(["--sandbox", "-f", "out.c1z", "--summary-file", "previous.c1z/summary.json"], { cwd: dir })
      ], { concurrency: 2 })
      // Before: "the directory ... does not exist; create it first", which the file there would not let happen.
      assert.deepStrictEqual([file, summary].map((result) => [result.exitCode, result.stderr]), [
        [2, `error: --file previous.c1z/out.c1z: ${dir}/previous.c1z is a regular file, not a directory: choose a path in a directory\n`],
        [
          2,
          `error: --summary-file previous.c1z/summary.json: ${dir}/previous.c1z is a regular file, not a directory: ` +
          "choose a path in a directory\n"
        ]
      ])
      assert.deepStrictEqual(yield* fs.readDirectory(dir), ["previous.c1z"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("-f or --summary-file ending in / names a directory, and is refused even while none is there", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-" })
      const [file, summary, dot] = yield* Effect.all([
        runCli(["--sandbox", "-f", "out/"], { cwd: dir }),
        runCli(["--sandbox", "-f", "a.c1z", "--summary-file", "reports/"], { cwd: dir }),
        runCli(["--sandbox", "-f", "out/.."], { cwd: dir })
      ], { concurrency: 2 })
      assert.deepStrictEqual([file, summary, dot].map((result) => [result.exitCode, result.stderr]), [
        [2, "error: --file out/ names a directory, not a file: give the file's path, such as out/sync.c1z\n"],
        [2, "error: --summary-file reports/ names a directory, not a file: give the file's path, such as reports/summary.json\n"],
        [2, "error: --file out/.. names a directory, not a file: give the file's path, such as sync.c1z\n"]
      ])
      assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a name too long for the temporary files beside it is refused naming the limit; the longest allowed syncs", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-" })
      const longest = `${"c".repeat(218)}.c1z`
      const tooLong = `${"c".repeat(219)}.c1z`
      const summary = `${"s".repeat(225)}.json`
      const [refused, refusedSummary, written] = yield* Effect.all([
        runCli(["--sandbox", "-f", tooLong], { cwd: dir }),
        runCli(["--sandbox", "-f", "a.c1z", "--summary-file", summary], { cwd: dir }),
        runCli(["--sandbox", "-f", longest, "--log-level", "warn"], { cwd: dir })
      ], { concurrency: 2 })
      const limit = "(the sync's temporary files beside it are named after it, and a name has at most 255): choose a shorter name"
      assert.deepStrictEqual([refused, refusedSummary].map((result) => [result.exitCode, result.stderr]), [
        [2, `error: --file ${tooLong}: the file name is 223 bytes long; at most 222 ${limit}\n`],
        [2, `error: --summary-file ${summary}: the file name is 230 bytes long; at most 229 ${limit}\n`]
      ])
      assertExit(written, 0)
      assert.deepStrictEqual(yield* fs.readDirectory(dir), [longest])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("--create-account-profile nested 3,000 levels deep, or not an object, is one short line", () =>
    Effect.gen(function*() {
      const profile = (json: string) =>
        runCli(["--sandbox", "-p", "--create-account-email", "a@example.com", "--create-account-profile", json])
      const help = "(expected a JSON object with given_name, family_name and optionally role, phone)"
      const [deep, deepInField, array, number] = yield* Effect.all([
        profile("[".repeat(3000) + "]".repeat(3000)),
        profile(`{"given_name":${"[".repeat(3000)}${"]".repeat(3000)},"family_name":"B"}`),
        profile("[]"),
        profile("12")
      ], { concurrency: 2 })
      for (const result of [deep, deepInField, array, number]) assertExit(result, 2)
      assert.strictEqual(deep.stderr, `error: --create-account-profile: got an array ${help}\n`)
      assert.strictEqual(
        deepInField.stderr,
        `error: --create-account-profile: given_name: must be a string, not an object or array ${help}\n`
      )
      assert.strictEqual(array.stderr, `error: --create-account-profile: got an array ${help}\n`)
      assert.strictEqual(number.stderr, `error: --create-account-profile: got a number ${help}\n`)
    }).pipe(Effect.provide(NodeContext.layer)), 180_000)

  it.live("--create-account-profile giving a key twice exits 2 naming it: the last one no longer wins", () =>
    Effect.gen(function*() {
      const profile = (json: string) =>
        runCli(["--sandbox", "-p", "--create-account-email", "a@example.com", "--create-account-profile", json])
      const help = "(expected a JSON object with given_name, family_name and optionally role, phone)"
      const [role, escaped] = yield* Effect.all([
        profile("{\"given_name\":\"A\",\"family_name\":\"B\",\"role\":\"Account Reviewer\",\"role\":\"Account Administrator\"}"),
        profile("{\"given_name\":\"A\",\"family_name\":\"B\",\"given_name\\u0020\":\"x\",\"\\u0067iven_name\":\"C\"}")
      ], { concurrency: 2 })
      for (const result of [role, escaped]) assertExit(result, 2)
      assert.strictEqual(role.stderr, `error: --create-account-profile: role is given twice; give each field once ${help}\n`)
      assert.strictEqual(escaped.stderr, `error: --create-account-profile: given_name is given twice; give each field once ${help}\n`)
      assert.strictEqual(role.stdout, "")
    }).pipe(Effect.provide(NodeContext.layer)), 180_000)

  it.scopedLive("an OTLP endpoint with a key in its query is refused naming the variable, never the key", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-" })
      const result = yield* runCli(["--sandbox"], {
        cwd: dir,
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: "https://collector.example/v1?api_key=OTLPSECRET12" }
      })
      assertExit(result, 2)
      assert.strictEqual(
        result.stderr,
        "error: bad OpenTelemetry setting: OTEL_EXPORTER_OTLP_ENDPOINT: the URL must not hold a " +
          "query or fragment (?... or #...): give the collector's base URL, to which /v1/traces, /v1/metrics and " +
          "/v1/logs are appended, and send any key or token in OTEL_EXPORTER_OTLP_HEADERS, e.g. api-key=<key>\n"
      )
      assert.strictEqual(result.stdout, "")
      assertNoSecret(result, "OTLPSECRET12")
      // Refused before the sync: nothing written.
      assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
    }).pipe(Effect.provide(NodeContext.layer)))
})
