import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { silentServer } from "../../../packages/fivetran-client/test/support/SilentServer.js"
import { assertExit, type CliOptions, runCli } from "./support/CliProcess.js"
import { clockSetBackOptions } from "./support/ClockSteps.js"

/**
 * Each attempt of a Fivetran request had a fixed 30 s timeout, and a call makes 5 attempts: a
 * one-shot grant against a Fivetran (or a proxy) that took the connection and never answered failed
 * after about 2 min 39 s, saying "no complete response within 30s" and naming no setting.
 * `--request-timeout` (BATON_REQUEST_TIMEOUT, `request-timeout:`) sets it, and the error names it.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-timeout-" }))

const credentials = ["--api-key", "key_of_the_test", "--api-secret", "secret_of_the_test"]

const timedOut = "could not reach Fivetran: no complete response within request-timeout (1.0s); gave up after 5 attempts"

const fiveTimes = (line: string) => Array<string>(5).fill(line)

describe("--request-timeout against a Fivetran that accepts and never answers", () => {
  it.scopedLive(
    "bounds each of a call's 5 attempts from the flag, the variable or .baton.yaml; the error names it",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const [grantServer, flagServer, envServer, fileServer] = yield* Effect.all([
          silentServer,
          silentServer,
          silentServer,
          silentServer
        ])
        const [grantDir, flagDir, envDir, fileDir] = yield* Effect.all([tempDir, tempDir, tempDir, tempDir])
        yield* fs.writeFileString(`${fileDir}/.baton.yaml`, "request-timeout: 1s\n")
        const sync = (baseUrl: string, timeout: ReadonlyArray<string>, options: CliOptions) =>
          runCli([...credentials, "--base-url", baseUrl, ...timeout, "-f", "out.c1z", "--log-level", "error"], options)
        const [grant, fromFlag, fromEnv, fromFile] = yield* Effect.all([
          runCli([
            ...credentials,
            "--base-url",
            grantServer.baseUrl,
            "-p",
            "--grant-entitlement",
            "group:exact_creek:View Destination",
            "--grant-principal",
            "quiet_harbor",
            "--grant-principal-type",
            "user",
            "--request-timeout",
            "1s",
            "--log-level",
            "error"
          ], { cwd: grantDir }),
          sync(flagServer.baseUrl, ["--request-timeout", "1s"], { cwd: flagDir }),
          sync(envServer.baseUrl, [], { cwd: envDir, env: { BATON_REQUEST_TIMEOUT: "1s" } }),
          sync(fileServer.baseUrl, [], { cwd: fileDir })
        ], { concurrency: "unbounded" })

        assertExit(grant, 1)
        assert.strictEqual(
          grant.stderr,
          `error: cannot grant group:exact_creek:View Destination to user:quiet_harbor: GET /v1/roles: ${timedOut}; nothing was ` +
            "changed in Fivetran (no write reached it, or Fivetran turned it away); running the same command again is safe\n"
        )
        // The grant reads the four at once, each to its last attempt; nothing was written.
        assert.deepStrictEqual([...(yield* grantServer.requestLines)].sort(), [
          ...fiveTimes("GET /v1/groups/exact_creek HTTP/1.1"),
          ...fiveTimes("GET /v1/roles?limit=1000 HTTP/1.1"),
          ...fiveTimes("GET /v1/users/quiet_harbor HTTP/1.1"),
          ...fiveTimes("GET /v1/users/quiet_harbor/groups/exact_creek HTTP/1.1")
        ])

        for (const [result, server, dir] of [[fromFlag, flagServer, flagDir], [fromEnv, envServer, envDir]] as const) {
          assertExit(result, 1)
          assert.strictEqual(result.stderr, `error: could not list roles: GET /v1/roles: ${timedOut}\n`)
          assert.deepStrictEqual(yield* server.requestLines, fiveTimes("GET /v1/roles?limit=1000 HTTP/1.1"))
          assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
        }
        assertExit(fromFile, 1)
        assert.strictEqual(fromFile.stderr, `error: could not list roles: GET /v1/roles: ${timedOut}\n`)
        assert.deepStrictEqual(yield* fileServer.requestLines, fiveTimes("GET /v1/roles?limit=1000 HTTP/1.1"))
        assert.deepStrictEqual(yield* fs.readDirectory(fileDir), [".baton.yaml"])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "holds while the machine's clock is set back during an attempt: each attempt still ends after 1s",
    () =>
      Effect.gen(function*() {
        const server = yield* silentServer
        const dir = yield* tempDir
        // Node's Date.now goes back an hour 300 ms into each connection.
        const nodeOptions = yield* clockSetBackOptions(dir, { at: "into each connection", millis: 300 })
        // The deadlines were the wall clock's: the first attempt waited an hour past its 1s.
        const result = yield* runCli(
          [...credentials, "--base-url", server.baseUrl, "--request-timeout", "1s", "-f", "out.c1z", "--log-level", "error"],
          { cwd: dir, env: { NODE_OPTIONS: nodeOptions } }
        ).pipe(Effect.timeout("60 seconds"), Effect.orDie)

        assertExit(result, 1)
        assert.strictEqual(result.stderr, `error: could not list roles: GET /v1/roles: ${timedOut}\n`)
        assert.deepStrictEqual(yield* server.requestLines, fiveTimes("GET /v1/roles?limit=1000 HTTP/1.1"))
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "is refused with the range it takes, from every source: 0s, -1s, abc, a bare number, past 10m",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const withFile = yield* tempDir
        yield* fs.writeFileString(`${withFile}/.baton.yaml`, "request-timeout: 1h\n")
        const runs = yield* Effect.forEach(
          [
            [["--request-timeout", "0s"], { cwd: dir }],
            [["--request-timeout", "-1s"], { cwd: dir }],
            [["--request-timeout", "abc"], { cwd: dir }],
            [["--request-timeout", "30"], { cwd: dir }],
            [[], { cwd: dir, env: { BATON_REQUEST_TIMEOUT: "0s" } }],
            [[], { cwd: withFile }]
          ] as const,
          ([args, options]) => runCli(["--sandbox", ...args], options),
          { concurrency: 2 }
        )
        const accepts = "expected a duration from 1s to 10m, with a unit, such as 10s, 30s or 2m"
        assert.deepStrictEqual(runs.map((result) => [result.exitCode, result.stderr, result.stdout]), [
          [2, `error: --request-timeout: ${accepts}, got "0s"\n`, ""],
          [2, `error: --request-timeout: ${accepts}, got "-1s"\n`, ""],
          [2, `error: --request-timeout: ${accepts}, got "abc"\n`, ""],
          [2, `error: --request-timeout: ${accepts}, got "30"\n`, ""],
          [2, `error: BATON_REQUEST_TIMEOUT: ${accepts}, got "0s"\n`, ""],
          [2, `error: .baton.yaml: request-timeout: ${accepts}, got "1h"\n`, ""]
        ])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive("is in help with its range, its default, its variable and its key", () =>
    Effect.gen(function*() {
      const help = yield* runCli(["--help"])
      assertExit(help, 0)
      assert.include(help.stdout, "[--max-rate-limit-wait duration] [--request-timeout duration]")
      assert.include(
        help.stdout,
        "\n--request-timeout duration\n\n  How long one attempt of a Fivetran request may take, its whole answer included; a " +
          "request is tried up to 5 times, each attempt with this timeout. Takes a duration from 1s to 10m, with a unit, such " +
          "as 10s, 30s or 2m. Default: 30s. Env: BATON_REQUEST_TIMEOUT; .baton.yaml key: request-timeout.\n"
      )
    }).pipe(Effect.provide(NodeContext.layer)))
})
