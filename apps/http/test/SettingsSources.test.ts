import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { type FinishedService, runServiceOnce, serviceBundle } from "./ServiceProcess.js"

/**
 * The service process reads each setting from flag > BATON_* variable > .baton.yaml (in its
 * working directory, as the CLI) > default; a bad value is refused naming its source; secrets are
 * never echoed; --help is plain when piped or with NO_COLOR.
 */

/** Only PATH and HOME from the test's environment: no BATON_* leaks in. */
const baseEnv = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" }

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-http-" }))

const status = (url: string, token: string) =>
  Effect.promise(() => fetch(`${url}/openapi.json`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status))

describe("settings sources (the service process)", () => {
  it.scopedLive(
    "flag > env > .baton.yaml > default: the data directory created is the one the winning source names",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dirs = yield* Effect.all([tempDir, tempDir, tempDir, tempDir])
        yield* Effect.forEach(dirs.slice(0, 3), (dir) => fs.writeFileString(`${dir}/.baton.yaml`, "data-dir: from-yaml\n"))
        const env = { BATON_HTTP_DATA_DIR: "from-env" }
        const runs = yield* Effect.all([
          runServiceOnce(["--sandbox", "--port", "0", "--data-dir", "from-flag"], { cwd: dirs[0], env }),
          runServiceOnce(["--sandbox", "--port", "0"], { cwd: dirs[1], env }),
          runServiceOnce(["--sandbox", "--port", "0"], { cwd: dirs[2] }),
          runServiceOnce(["--sandbox", "--port", "0"], { cwd: dirs[3] })
        ], { concurrency: 2 })
        assert.deepStrictEqual(runs.map((run) => run.code), [0, 0, 0, 0], runs.map((run) => run.stderr).join("\n"))
        const listings = yield* Effect.forEach(dirs, (dir) => Effect.map(fs.readDirectory(dir), (names) => names.sort()))
        assert.deepStrictEqual(listings, [
          [".baton.yaml", "from-flag"],
          [".baton.yaml", "from-env"],
          [".baton.yaml", "from-yaml"],
          ["data"]
        ])
      }).pipe(Effect.provide(NodeContext.layer)),
    180_000
  )

  it.scopedLive("tokens from .baton.yaml are the accepted ones (none generated, none printed)", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      yield* fs.writeFileString(`${dir}/.baton.yaml`, "token: [yaml-token-number-one, yaml-token-number-two]\n")
      const statuses: Array<number> = []
      const run = yield* runServiceOnce(["--sandbox", "--port", "0"], { cwd: dir }, (url) =>
        Effect.forEach(["yaml-token-number-one", "yaml-token-number-two", "other"], (token) =>
          Effect.map(status(url, token), (code) => {
            statuses.push(code)
          }), { discard: true }))
      assert.strictEqual(run.code, 0, run.stderr)
      assert.deepStrictEqual(statuses, [200, 200, 401])
      assert.notInclude(run.stdout, "bearer token for this run")
      assert.notInclude(run.stdout + run.stderr, "yaml-token")
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive(
    "BATON_SANDBOX serves the embedded sandbox with its preset; the flag wins; a bad value names its source",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        // A directory each: a data directory belongs to one process.
        const dirs = yield* Effect.all([tempDir, tempDir, tempDir, tempDir])
        const fileDir = dirs[3]
        yield* fs.writeFileString(`${fileDir}/.baton.yaml`, "sandbox: true\n")
        const env = { BATON_SANDBOX: "medium" }
        const [fromEnv, flagWins, badEnv, badFile] = yield* Effect.all([
          runServiceOnce(["--port", "0"], { cwd: dirs[0], env }),
          runServiceOnce(["--sandbox", "--port", "0"], { cwd: dirs[1], env }),
          runServiceOnce(["--port", "0"], { cwd: dirs[2], env: { BATON_SANDBOX: "huge" } }),
          runServiceOnce(["--port", "0"], { cwd: fileDir })
        ], { concurrency: 2 })
        const preset = (run: FinishedService) => /embedded Fivetran sandbox \("(\w+)" preset\)/.exec(run.stdout)?.[1]
        assert.deepStrictEqual([fromEnv, flagWins].map((run) => [run.code, preset(run)]), [[0, "medium"], [0, "small"]], fromEnv.stderr)
        assert.deepStrictEqual([badEnv, badFile].map((run) => [run.code, run.stderr, run.stdout]), [
          [2, "error: BATON_SANDBOX: expected small, medium or large, got \"huge\"\n", ""],
          [2, "error: .baton.yaml: sandbox: expected small, medium or large, got \"true\"\n", ""]
        ])
      }).pipe(Effect.provide(NodeContext.layer)),
    180_000
  )

  it.scopedLive("a bad value is refused (exit 2) naming its source; a secret in any source is never echoed", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const canary = "canary-secret-51b0e2"
      yield* fs.writeFileString(
        `${dir}/.baton.yaml`,
        `port: -1\napi-key: ${canary}-key\napi-secret: ${canary}\ntoken: ${canary}-token\n`
      )
      const runs = yield* Effect.all([
        runServiceOnce(["--port", "70000"], { cwd: dir, env: { BATON_API_SECRET: `${canary}-env` } }),
        runServiceOnce([], { cwd: dir, env: { BATON_HTTP_PORT: "abc" } }),
        runServiceOnce(["--api-secret", `${canary}-flag`], { cwd: dir })
      ], { concurrency: "unbounded" })
      assert.deepStrictEqual(runs.map((run) => [run.code, run.stderr, run.stdout]), [
        [2, "error: --port: expected a whole number from 0 to 65535, got \"70000\"\n", ""],
        [2, "error: BATON_HTTP_PORT: expected a whole number from 0 to 65535, got \"abc\"\n", ""],
        [2, "error: .baton.yaml: port: expected a whole number from 0 to 65535, got \"-1\"\n", ""]
      ])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive("--sync-every under a minute is refused (exit 2): 5ms, meant as 5m, synced without a pause", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const runs = yield* Effect.all([
        runServiceOnce(["--sandbox", "small", "--sync-every", "5ms"], { cwd: dir }),
        runServiceOnce(["--sandbox", "small"], { cwd: dir, env: { BATON_HTTP_SYNC_EVERY: "59s" } })
      ], { concurrency: "unbounded" })
      assert.deepStrictEqual(runs.map((run) => [run.code, run.stderr, run.stdout]), [
        [2, "error: --sync-every: expected a duration of at least 1m, got \"5ms\"\n", ""],
        [2, "error: BATON_HTTP_SYNC_EVERY: expected a duration of at least 1m, got \"59s\"\n", ""]
      ])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})

describe("help (the service process)", () => {
  it.scopedLive("is plain when piped and with NO_COLOR on a terminal, and tells what is required", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const help = execFileSync(process.execPath, [serviceBundle, "--help"], {
        env: { ...baseEnv, BATON_API_SECRET: "canary-c0ffee" },
        encoding: "utf8"
      })
      for (const generic of ["A user-defined piece of text", "This setting is optional.", "\x1b["]) assert.notInclude(help, generic)
      assert.notInclude(help, "canary-c0ffee")
      assert.include(help, "[--token token...]")
      assert.include(
        help,
        "Bearer token clients must send. Takes secret text of at least 16 printable ASCII characters (never printed); " +
          "repeat the flag, or " +
          "separate with commas. " +
          "Required unless --token-file, or --sandbox (which generates one for the run and prints it once). Env: BATON_HTTP_TOKENS; .baton.yaml key: token. " +
          "Prefer BATON_HTTP_TOKENS or .baton.yaml to the flag: other local users can see a command line (ps)."
      )
      assert.include(help, "Default: 8080. Env: BATON_HTTP_PORT; .baton.yaml key: port.")
      assert.include(
        help,
        "The .baton.yaml the settings name is the file BATON_CONFIG_PATH names if set (a .yaml or .yml), " +
          "else .baton.yaml or .baton.yml in the working directory."
      )
      assert.include(help, "[--sandbox small|medium|large]")
      assert.include(help, "Takes small, medium or large. Optional. Env: BATON_SANDBOX; .baton.yaml key: sandbox.")
      const underTerminal = (env: Record<string, string>, log: string) =>
        execFileSync("script", ["-q", "-e", "-c", `${process.execPath} ${serviceBundle} --help`, `${dir}/${log}`], {
          env: { ...baseEnv, ...env },
          encoding: "utf8"
        })
      assert.include(underTerminal({}, "coloured.log"), "\x1b[")
      const plain = underTerminal({ NO_COLOR: "1" }, "plain.log")
      assert.include(plain, "USAGE")
      assert.notInclude(plain, "\x1b[")
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
