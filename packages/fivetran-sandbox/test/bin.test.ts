import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

/** The `fivetran-sandbox` bin as users run it: the bundle package.json's `bin` names (turbo's test task builds it first). */
const binJs = fileURLToPath(new URL("../bundle/fivetran-sandbox.js", import.meta.url))

/**
 * A limit, not a measurement: a start of the bundled bin takes ~0.7 s of CPU (the unbundled one
 * took ~2 s, and on a loaded 2-core machine five of those took 204 s, past the shared 180 s limit).
 */
const processTimeout = 600_000

const run = (args: ReadonlyArray<string>) => {
  assert.isTrue(existsSync(binJs), `${binJs} is missing: build the package first`)
  const result = spawnSync(process.execPath, [binJs, ...args], {
    env: { PATH: process.env.PATH ?? "" },
    encoding: "utf8",
    timeout: processTimeout
  })
  return [result.status, result.stdout, result.stderr] as const
}

/**
 * The bin serving on `args`: its stdout up to its system key's line (the banner's last), and its
 * exit code once stopped with SIGINT.
 */
const served = (args: ReadonlyArray<string>) =>
  Effect.promise(() =>
    new Promise<readonly [number | null, ReadonlyArray<string>]>((resolve) => {
      assert.isTrue(existsSync(binJs), `${binJs} is missing: build the package first`)
      const child = spawn(process.execPath, [binJs, ...args], { env: { PATH: process.env.PATH ?? "" } })
      let stdout = ""
      child.stdout.setEncoding("utf8").on("data", (text: string) => {
        stdout += text
        if (stdout.split("\n").some((line) => line.startsWith("  system key"))) child.kill("SIGINT")
      })
      child.on("close", (code) => resolve([code, stdout.split("\n")]))
    })
  )

/**
 * Node's module hooks, registered before the bin runs: each file of this package's bundle is
 * reported on stderr as it is loaded, `loaded <its name under bundle/>`.
 */
const reportLoads = "data:text/javascript," + encodeURIComponent(
  `import { register } from "node:module"; register(${
    JSON.stringify(
      "data:text/javascript," + encodeURIComponent(
        "export async function load(url, context, next) { const m = /\\/fivetran-sandbox\\/bundle\\/(.+)$/.exec(url); " +
          "if (m) process.stderr.write(`loaded ${m[1]}\\n`); return next(url, context) }"
      )
    )
  })`
)

/** esbuild's account of the bundle the build wrote (scripts/bundle-bin.mjs): the inputs of each file, by path under the package. */
const bundleInputs = Effect.sync(() =>
  Schema.decodeUnknownSync(Schema.parseJson(Schema.Struct({
    outputs: Schema.Record({
      key: Schema.String,
      value: Schema.Struct({ inputs: Schema.Record({ key: Schema.String, value: Schema.Unknown }) })
    })
  })))(readFileSync(new URL("../bundle/meta.json", import.meta.url), "utf8")).outputs
).pipe(Effect.cached, Effect.runSync)

/** This package's modules whose code a file of the bundle holds: their paths under dist/. */
const modulesIn = (outputs: Effect.Effect.Success<typeof bundleInputs>, bundleFile: string) =>
  Object.keys(outputs[`bundle/${bundleFile}`]?.inputs ?? {}).flatMap((input) => input.startsWith("dist/") ? [input.slice(5)] : [])

interface LoadsSeen {
  readonly status: number | null
  readonly stdout: string
  /** Its stderr without the hooks' lines. */
  readonly stderr: string
  /** This package's modules whose code the bin loaded, sorted. */
  readonly modules: ReadonlyArray<string>
}

/**
 * A run of the bin with `args` that several tests read, started once by the first of them: what it
 * printed and exited with, and which of this package's modules it loaded.
 */
const runSeeingLoads = (args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    assert.isTrue(existsSync(binJs), `${binJs} is missing: build the package first`)
    const outputs = yield* bundleInputs
    const result = spawnSync(process.execPath, ["--import", reportLoads, binJs, ...args], {
      env: { PATH: process.env.PATH ?? "" },
      encoding: "utf8",
      timeout: processTimeout
    })
    const lines = result.stderr.split(/(?<=\n)/)
    const loaded = lines.flatMap((line) => line.startsWith("loaded ") ? [line.slice(7).trimEnd()] : [])
    const seen: LoadsSeen = {
      status: result.status,
      stdout: result.stdout,
      stderr: lines.filter((line) => !line.startsWith("loaded ")).join(""),
      modules: loaded.flatMap((file) => modulesIn(outputs, file)).sort()
    }
    return seen
  }).pipe(Effect.cached, Effect.runSync)

const helpRun = runSeeingLoads(["--help"])
const versionRun = runSeeingLoads(["--version"])
const portOutOfRangeRun = runSeeingLoads(["--port", "70000"])
const missingStateRun = runSeeingLoads(["--state", "/nonexistent/account.json"])

const printed = ({ status, stderr, stdout }: LoadsSeen) => [status, stdout, stderr] as const

describe("fivetran-sandbox process", { timeout: processTimeout }, () => {
  it.live("refuses bad flags with exit 2 and one `error:` line naming the flag", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(
        [
          printed(yield* portOutOfRangeRun),
          run(["--preset", "tiny"]),
          run(["--colour", "red"]),
          run(["--port"]),
          run(["--api-key", "k"]),
          run(["--lost-answers", "some"])
        ],
        [
          [2, "", "error: --port: expected a whole number from 0 to 65535, got \"70000\"\n"],
          [2, "", "error: --preset: expected one of small, medium, large, got \"tiny\"\n"],
          [2, "", "error: unknown flag '--colour' (see fivetran-sandbox --help)\n"],
          [2, "", "error: --port needs a value\n"],
          [2, "", "error: --api-key and --api-secret go together\n"],
          [2, "", "error: --lost-answers: expected a request count, got \"some\"\n"]
        ]
      )
    }))

  it.live("a --state file that is missing or not JSON exits 2 with one plain line", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "sandbox-bin-"))
      try {
        writeFileSync(join(dir, "text.json"), "nope\n")
        const howToMake =
          "a snapshot is written by writeSnapshot of @baton-fivetran/fivetran-sandbox (e.g. of generatePreset(\"small\")); " +
          "or serve a generated account with --preset instead"
        assert.deepStrictEqual([printed(yield* missingStateRun), run(["--state", join(dir, "text.json")])], [
          [2, "", `error: Snapshot file /nonexistent/account.json: no such file; ${howToMake}\n`],
          [
            2,
            "",
            `error: Snapshot file ${
              join(dir, "text.json")
            } is not JSON (Unexpected token 'o', "nope\\u000a" is not valid JSON); ${howToMake}\n`
          ]
        ])
      } finally {
        rmSync(dir, { recursive: true })
      }
    }))

  it.live("--help is plain and describes every flag; --version is the package's", () =>
    Effect.gen(function*() {
      const { status: code, stdout: help } = yield* helpRun
      assert.strictEqual(code, 0)
      for (const generic of ["A user-defined piece of text", "This setting is optional.", "\x1b["]) assert.notInclude(help, generic)
      assert.include(
        help,
        "--rate-window-seconds s\n\n  Length of that window; a short one shows rate limiting in seconds. Default: 3600. Takes whole seconds from 1 to 86400."
      )
      assert.include(
        help,
        "--fault-methods method,...\n\n  The faults (not --latency) strike only requests of these methods; the others are answered as usual. " +
          "Default: every method. Takes a comma-separated list of GET, POST, PATCH and DELETE, e.g. POST,PATCH."
      )
      const version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version
      const { status: versionCode, stdout: versionPrinted } = yield* versionRun
      assert.deepStrictEqual([versionCode, versionPrinted.trim()], [0, version])
    }))

  it.live("--help, --version and a refused flag load none of the server: only the command and its flags", () =>
    Effect.gen(function*() {
      const flagsOnly = [
        "CommandFlag.js",
        "ListenAddress.js",
        "RateLimitDefaults.js",
        "SandboxBanner.js",
        "SandboxCommand.js",
        "SandboxFlags.js",
        "ServeSettings.js",
        "TrafficFlags.js",
        "UsageError.js",
        "bin.js"
      ]
      const conflicting = yield* runSeeingLoads(["--preset", "small", "--state", "a.json"])
      assert.deepStrictEqual(
        [yield* helpRun, yield* versionRun, yield* portOutOfRangeRun, conflicting].map(({ modules, status }) => [status, modules]),
        [[0, flagsOnly], [0, flagsOnly], [2, flagsOnly], [2, flagsOnly]]
      )
      // Once the flags are good the server is loaded: a --state file it cannot read is refused by it.
      const { modules: served, status: code } = yield* missingStateRun
      assert.deepStrictEqual([code, ["Sandbox.js", "SandboxServe.js"].every((module) => served.includes(module))], [2, true])
    }))

  it.live("refuses an item of a list flag given twice, naming it (exit 2)", () =>
    Effect.sync(() => {
      assert.deepStrictEqual(
        [run(["--fault-methods", "POST,POST"]), run(["--server-errors", "1", "--server-error-statuses", "503,502,503"])],
        [
          [2, "", "error: --fault-methods: POST is listed twice in \"POST,POST\"; list each once\n"],
          [2, "", "error: --server-error-statuses: 503 is listed twice in \"503,502,503\"; list each once\n"]
        ]
      )
    }))

  it.live("a SIGTERM as it starts listening, before its banner: exit 0 as after a stop, and no banner", () =>
    Effect.sync(() => {
      const dir = mkdtempSync(join(tmpdir(), "sandbox-bin-"))
      try {
        // Raised in the bin's own process as the server listens: at that moment every time.
        const hook = join(dir, "stop-at-listen.cjs")
        writeFileSync(
          hook,
          [
            "const net = require('node:net')",
            "const listen = net.Server.prototype.listen",
            "net.Server.prototype.listen = function (...args) {",
            "  this.once('listening', () => process.kill(process.pid, 'SIGTERM'))",
            "  return listen.apply(this, args)",
            "}"
          ].join("\n")
        )
        const result = spawnSync(process.execPath, ["--require", hook, binJs, "--port", "0"], {
          env: { PATH: process.env.PATH ?? "" },
          encoding: "utf8",
          timeout: processTimeout
        })
        assert.deepStrictEqual([result.status, result.signal, result.stdout, result.stderr], [0, null, "", ""])
      } finally {
        rmSync(dir, { recursive: true })
      }
    }))

  it.live("a --port in use exits 2 naming it and suggesting --port 0", () =>
    Effect.gen(function*() {
      const busy = createServer()
      yield* Effect.promise(() => new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve)))
      const port = (busy.address() as { port: number }).port
      const result = run(["--port", String(port)])
      yield* Effect.promise(() => new Promise((resolve) => busy.close(resolve)))
      assert.deepStrictEqual(result, [
        2,
        "",
        `error: --port ${port}: the port is already in use on 127.0.0.1; choose another port, or --port 0 for any free one\n`
      ])
    }))

  it.live("its banner names each fault on a line: which, how often or how many, of which methods, with which status", () =>
    Effect.gen(function*() {
      const [code, lines] = yield* served([
        "--port=0",
        "--latency=10-50",
        "--server-errors=0.25",
        "--server-error-statuses=502,503",
        "--drops=0.1",
        "--slow-bodies=0.125",
        "--rate-limit-burst=3:5",
        "--lost-answers=2",
        "--fail-after-acting=1",
        "--fault-methods=POST,PATCH,DELETE",
        "--fault-seed=9",
        "--hourly-limit=50"
      ])
      const url = /^Fivetran sandbox listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(lines[0] ?? "")?.[1]
      assert.deepStrictEqual([code, lines], [0, [
        `Fivetran sandbox listening on ${url}`,
        "Faults:",
        "  latency: 10-50 ms before every answer, drawn per request, whatever the method",
        "  server errors: 25% of POST, PATCH or DELETE requests answered 502 or 503, not acted on",
        "  drops: 10% of POST, PATCH or DELETE requests closed without an answer, not acted on",
        "  slow bodies: 12.5% of POST, PATCH or DELETE requests answered in 64-byte pieces, 10 ms apart",
        "  rate-limit burst: the first 3 POST, PATCH or DELETE requests answered 429 with Retry-After: 5",
        "  lost answers: the first 2 POST, PATCH or DELETE requests acted on, then closed without an answer",
        "  fail after acting: the first POST, PATCH or DELETE request acted on, then answered 503",
        "  fault seed: 9",
        "Rate limit: 50 requests per 3600 s rolling window",
        "Account Acme Data (grassy_sierra): 25 users, 4 groups, 3 teams, 8 connections",
        "Accepted credentials (HTTP Basic key:secret; sandbox-only, not real Fivetran keys):",
        "  user key    sandbox_key_9cc9b8b04715113f:b013843dabb9b99e1915c6a3d1ff9d4c  (acts as user violet_reef)",
        "  system key  sandbox_key_abe97c03b41c7dff:dc9c8d1f76cd5f7436bd38f3bcac6642  (witty_oak; ACCOUNT:MANAGE, USER:MANAGE, " +
        "ROLES:MANAGE, TEAM:MANAGE, DESTINATION:MANAGE, CONNECTOR:MANAGE)",
        ""
      ]])
    }))
})
