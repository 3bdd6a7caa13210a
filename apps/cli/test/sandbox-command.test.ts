import { Command, FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Stream } from "effect"
import { execFileSync } from "node:child_process"
import { assertExit, cliCommand, logFields, runCli } from "./support/CliProcess.js"
import { stoppableSandboxCommand } from "./support/SandboxCommand.js"
import { generatePreset, readSnapshot } from "@baton-fivetran/fivetran-sandbox"

/** The first stdout lines of the `sandbox` command, up to its "Stop with Ctrl-C." line. */
const banner = (stdout: Stream.Stream<Uint8Array, unknown>) =>
  stdout.pipe(
    Stream.decodeText(),
    Stream.splitLines,
    Stream.takeUntil((line) => line === "Stop with Ctrl-C."),
    Stream.runCollect,
    Effect.map((lines) => Array.from(lines))
  )

describe("sandbox command", () => {
  it.scopedLive("serves the sandbox on loopback, prints its URL and keys, and the keys sync it; SIGINT stops it", () =>
    Effect.gen(function*() {
      const server = yield* Command.start(cliCommand(["sandbox", "--port", "0", "--preset", "small", "--seed", "7"]))
      const lines = yield* banner(server.stdout)
      const url = Option.fromNullable(lines[0]?.match(/listening on (http:\/\/127\.0\.0\.1:\d+)$/)?.[1])
      assert.isTrue(Option.isSome(url), lines.join("\n"))
      assert.strictEqual(lines[1], "  25 users, 4 groups, 3 teams, 8 connections, 24 roles")
      const systemKey = lines.find((line) => line.startsWith("  system key "))?.match(/--api-key (\S+) --api-secret (\S+)/)
      assert.isDefined(systemKey)

      const dir = yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-" }))
      const sync = yield* runCli([
        "--base-url",
        Option.getOrThrow(url),
        "--api-key",
        systemKey![1]!,
        "--api-secret",
        systemKey![2]!,
        "-f",
        `${dir}/sync.c1z`,
        "--log-format",
        "console"
      ])
      assert.include(sync.stderr, "resources     38 (25 user, 6 role, 4 group, 3 team)")
      assertExit(sync, 0)

      yield* server.kill("SIGINT")
      assert.strictEqual(yield* server.exitCode, 130)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("SIGINT or SIGTERM: stdout is the banner alone, 'sandbox stopped' goes to stderr (a console line or a JSON log line)", () =>
    Effect.gen(function*() {
      const stop = (signal: "SIGINT" | "SIGTERM", format: "console" | "json") =>
        Effect.scoped(Effect.flatMap(stoppableSandboxCommand(["--log-format", format]), (sandbox) => sandbox.stop(signal)))
      assert.deepStrictEqual(yield* stop("SIGINT", "console"), { exitCode: 130, afterBanner: [], stderr: "sandbox stopped\n" })
      const json = yield* stop("SIGTERM", "json")
      assert.deepStrictEqual([json.exitCode, json.afterBanner], [130, []])
      assert.deepStrictEqual(logFields(json.stderr), [{ level: "info", msg: "sandbox stopped" }])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a stop signal during the start prints no banner: the URL and keys of a sandbox already stopping", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-" })
      // Preloaded: the signal comes as the server starts listening, as a Ctrl-C during the start does.
      const hook = `${dir}/signal-at-listen.cjs`
      yield* fs.writeFileString(
        hook,
        [
          "const net = require(\"node:net\")",
          "const listen = net.Server.prototype.listen",
          "net.Server.prototype.listen = function (...args) { process.kill(process.pid, \"SIGINT\"); return listen.apply(this, args) }"
        ].join("\n")
      )
      const result = yield* runCli(["sandbox"], { env: { NODE_OPTIONS: `--require ${hook}` } })
      assert.deepStrictEqual([result.exitCode, result.stdout, result.stderr], [130, "", "sandbox stopped\n"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("takes the sandbox's fault options: latency, a 429 burst with its Retry-After, then a share of 5xx", () =>
    Effect.gen(function*() {
      const server = yield* Command.start(cliCommand([
        "sandbox",
        "--latency",
        "5-15",
        "--rate-limit-burst",
        "1:7",
        "--server-errors",
        "1",
        "--fault-seed",
        "3"
      ]))
      const lines = yield* banner(server.stdout)
      assert.deepStrictEqual(lines.slice(2, 7), [
        "  faults:",
        "    latency: 5-15 ms before every answer, drawn per request, whatever the method",
        "    server errors: 100% of requests answered 500, 502 or 503, not acted on",
        "    rate-limit burst: the first request answered 429 with Retry-After: 7",
        "    fault seed: 3"
      ])
      const url = lines[0]!.match(/listening on (http:\/\/127\.0\.0\.1:\d+)$/)![1]!
      const [, key, secret] = lines.find((line) => line.startsWith("  system key "))!.match(/--api-key (\S+) --api-secret (\S+)/)!
      const get = Effect.promise(() =>
        fetch(`${url}/v1/users`, { headers: { authorization: `Basic ${btoa(`${key}:${secret}`)}` } }).then((r) => ({
          status: r.status,
          retryAfter: r.headers.get("retry-after")
        }))
      )
      assert.deepStrictEqual(yield* get, { status: 429, retryAfter: "7" })
      const second = yield* get
      assert.include([500, 502, 503], second.status)
      yield* server.kill("SIGINT")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("takes --hourly-limit and --rate-window-seconds: the answers carry that budget and window", () =>
    Effect.gen(function*() {
      const server = yield* Command.start(cliCommand(["sandbox", "--hourly-limit", "50", "--rate-window-seconds", "30"]))
      const lines = yield* banner(server.stdout)
      assert.strictEqual(lines[2], "  rate limit: 50 requests per 30 s rolling window")
      const url = lines[0]!.match(/listening on (http:\/\/127\.0\.0\.1:\d+)$/)![1]!
      const [, key, secret] = lines.find((line) => line.startsWith("  system key "))!.match(/--api-key (\S+) --api-secret (\S+)/)!
      const headers = yield* Effect.promise(() =>
        fetch(`${url}/v1/users`, { headers: { authorization: `Basic ${btoa(`${key}:${secret}`)}` } }).then((r) => [
          r.headers.get("x-rate-limit"),
          r.headers.get("x-rate-limit-remaining"),
          r.headers.get("x-rate-limit-window-seconds")
        ])
      )
      assert.deepStrictEqual(headers, ["50", "49", "30"])
      yield* server.kill("SIGINT")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("refuses a fault option out of range, naming the flag and what it takes", () =>
    Effect.gen(function*() {
      const drops = yield* runCli(["sandbox", "--drops", "1.5"])
      assertExit(drops, 2)
      assert.include(drops.stderr, `--drops: expected a share from 0 to 1, got "1.5"`)
      const latency = yield* runCli(["sandbox", "--latency", "50-10"])
      assertExit(latency, 2)
      assert.include(latency.stderr, `--latency: expected milliseconds, e.g. 20 or 10-50, got "50-10"`)
      const window = yield* runCli(["sandbox", "--rate-window-seconds", "0"])
      assertExit(window, 2)
      assert.include(window.stderr, `--rate-window-seconds: expected whole seconds from 1 to 86400, got "0"`)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a --state file that is missing, a directory, not JSON or not an account exits 2 saying so in plain words", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-" })
      yield* fs.writeFileString(`${dir}/text.json`, "nope\n")
      yield* fs.writeFileString(`${dir}/empty-object.json`, "{}\n")
      const runs = yield* Effect.all([
        runCli(["sandbox", "--state", `${dir}/missing.json`]),
        runCli(["sandbox", "--state", dir]),
        runCli(["sandbox", "--state", `${dir}/text.json`]),
        runCli(["sandbox", "--state", `${dir}/empty-object.json`]),
        runCli(["sandbox", "--state", ""])
      ], { concurrency: 2 })
      const howToMake = "write one with baton-fivetran sandbox --save-state file.json (of --preset and --seed) and edit it; " +
        "or serve a generated account with --preset instead"
      assert.deepStrictEqual(runs.map((result) => [result.exitCode, result.stdout, result.stderr]), [
        [2, "", `error: Snapshot file ${dir}/missing.json: no such file; ${howToMake}\n`],
        [2, "", `error: Snapshot file ${dir}: is a directory, not a JSON file\n`],
        [
          2,
          "",
          `error: Snapshot file ${dir}/text.json is not JSON (Unexpected token 'o', "nope\\u000a" is not valid JSON); ${howToMake}\n`
        ],
        [2, "", `error: Snapshot file ${dir}/empty-object.json is invalid at account: is missing; ${howToMake}\n`],
        [2, "", "error: --state: expected the path of a snapshot file, got \"\"\n"]
      ])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("--save-state writes the account --preset and --seed generate, which --state then serves as it was", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-" })
      const saved = yield* runCli(["sandbox", "--preset", "small", "--seed", "7", "--save-state", `${dir}/account.json`])
      assert.deepStrictEqual([saved.exitCode, saved.stdout, saved.stderr], [
        0,
        `wrote ${dir}/account.json: the "small" preset, seed 7: 25 users, 4 groups, 3 teams, 8 connections, 24 roles; ` +
        `serve it with: baton-fivetran sandbox --state ${dir}/account.json\n`,
        ""
      ])
      assert.deepStrictEqual(yield* readSnapshot(`${dir}/account.json`), generatePreset("small", 7))
      assert.strictEqual((yield* fs.stat(`${dir}/account.json`)).mode & 0o777, 0o600)

      const server = yield* Command.start(cliCommand(["sandbox", "--port", "0", "--state", `${dir}/account.json`]))
      const lines = yield* banner(server.stdout)
      assert.deepStrictEqual(lines.slice(1, 2), ["  25 users, 4 groups, 3 teams, 8 connections, 24 roles"])
      yield* server.kill("SIGINT")

      const refused = yield* Effect.all([
        runCli(["sandbox", "--state", `${dir}/account.json`, "--save-state", `${dir}/copy.json`]),
        runCli(["sandbox", "--save-state", `${dir}/missing/account.json`]),
        runCli(["sandbox", "--save-state", "/dev/null"]),
        // Its temporary file adds 22 bytes to the name: 233 is the longest that fits 255 (234 below).
        runCli(["sandbox", "--save-state", `${dir}/${"a".repeat(229)}.json`])
      ])
      assert.deepStrictEqual(refused.map((run) => [run.exitCode, run.stderr]), [
        [2, "error: --save-state writes a generated account: it cannot be combined with --state (copy that file instead)\n"],
        [
          2,
          `error: --save-state ${dir}/missing/account.json: the directory ${dir}/missing does not exist; create it first or choose another path\n`
        ],
        [
          2,
          "error: --save-state /dev/null is a character device, not a regular file: the sandbox writes a new file and renames it there\n"
        ],
        [
          2,
          `error: --save-state ${dir}/${"a".repeat(229)}.json: the file name is 234 bytes long; at most 233 (the sandbox's temporary ` +
          "files beside it are named after it, and a name has at most 255): choose a shorter name\n"
        ]
      ])
      assert.deepStrictEqual(yield* fs.readDirectory(dir), ["account.json"])
      // The longest: refused before as over the summary file's 229, though its temporary name fits.
      const longest = `${"a".repeat(228)}.json`
      assert.strictEqual((yield* runCli(["sandbox", "--save-state", `${dir}/${longest}`])).exitCode, 0)
      assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), ["account.json", longest].sort())
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a --state file over 128 MiB (a disk image named by mistake), or /dev/zero, exits 2 unread, naming its size and the limit", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-" })
      // Sparse: a disk image's size to the file system, nothing on the disk.
      execFileSync("truncate", ["-s", "3G", `${dir}/image.json`])
      const runs = yield* Effect.all([
        runCli(["sandbox", "--state", `${dir}/image.json`]),
        runCli(["sandbox", "--state", "/dev/zero"])
      ], { concurrency: 2 })
      assert.deepStrictEqual(runs.map((result) => [result.exitCode, result.stdout, result.stderr]), [
        [
          2,
          "",
          `error: Snapshot file ${dir}/image.json: is 3221225472 bytes (3 GiB), over the limit of 134217728 bytes (128 MiB) for a snapshot file\n`
        ],
        [2, "", "error: Snapshot file /dev/zero: is a character device, not a JSON file\n"]
      ])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("--seed outside the generator's 32 bits is refused: -5 served the account of 4294967291 (exit 2)", () =>
    Effect.gen(function*() {
      const runs = yield* Effect.all([runCli(["sandbox", "--seed", "-5"]), runCli(["sandbox", "--seed", "4294967303"])], {
        concurrency: 2
      })
      assert.deepStrictEqual(runs.map((result) => [result.exitCode, result.stdout, result.stderr]), [
        [2, "", "error: --seed: expected a whole number from 0 to 4294967295, got \"-5\"\n"],
        [2, "", "error: --seed: expected a whole number from 0 to 4294967295, got \"4294967303\"\n"]
      ])
    }).pipe(Effect.provide(NodeContext.layer)))
})
