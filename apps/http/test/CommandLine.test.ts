import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { logFields } from "./Harness.js"
import { runServiceOnce } from "./ServiceProcess.js"

/**
 * The service's command line, checked as the CLI's is (settings' FlagCheck.ts): --help and --version
 * anywhere but as a flag's value, each ending with one line break; an unknown flag named with the
 * flag it is closest to; baton-sdk's flags refused saying what to use instead, their BATON_*
 * variables and .baton.yaml keys warned of. The bundled process, as deployed.
 */

const Token = "command-line-test-token"
const secret = "do-not-print-this-secret-42"

/** The bundled service run to its end in a scratch directory: exit code, stdout, stderr. */
const runService = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const run = yield* runServiceOnce(args, { cwd: yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-cli-" }), env })
    return [run.code, run.stdout, run.stderr] as const
  })

const serviceMode = "a baton-sdk flag (service mode: a daemon taking tasks from ConductorOne) that baton-fivetran-http does not take: " +
  "it is a service itself: clients start syncs and provisioning over its API (--token), --sync-every <duration> syncs on a " +
  "schedule, and probes read GET /healthz and /readyz"
const workers = "a baton-sdk flag (sync workers) that baton-fivetran-http does not take: " +
  "one bounded pool makes its Fivetran requests; use --concurrency <n>, how many run at once"

describe("the service's command line", () => {
  it.scopedLive("--help and --version anywhere but as a flag's value, each ending with one line break", () =>
    Effect.gen(function*() {
      const [help, helpLater, shortHelpLater, version, versionLater, valueHelp] = yield* Effect.all([
        runService(["--help"]),
        runService(["--port", "1", "--help"]),
        runService(["--sandbox", "--sync-every", "5m", "-h"]),
        runService(["--version"]),
        runService(["--sync-every", "5m", "--version"]),
        runService(["--port", "--help"])
      ], { concurrency: 3 })
      assert.strictEqual(help[0], 0, help[2])
      assert.match(help[1], /^baton-fivetran-http\n\nbaton-fivetran-http 0\.1\.0 \(commit [0-9a-f]{12}(-dirty)?\)\n\nUSAGE\n/)
      assert.isTrue(help[1].endsWith(".baton.yaml key: sandbox.\n"), JSON.stringify(help[1].slice(-40)))
      assert.deepStrictEqual([helpLater, shortHelpLater], [help, help])
      assert.match(version[1], /^0\.1\.0 \(commit [0-9a-f]{12}(-dirty)?\)\n$/)
      assert.deepStrictEqual([version[0], version[2]], [0, ""])
      assert.deepStrictEqual(versionLater, version)
      // A flag's value, as in the CLI: --port is given "--help", and refuses it.
      assert.deepStrictEqual(valueHelp, [2, "", "error: --port: expected a whole number from 0 to 65535, got \"--help\"\n"])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive("a switch's help is its own description, without @effect/cli's \"A true or false value.\"", () =>
    Effect.gen(function*() {
      const [code, help] = yield* runService(["--help"])
      assert.strictEqual(code, 0)
      assert.notInclude(help, "A true or false value.")
      const start = help.indexOf("\n--public-docs\n")
      assert.strictEqual(
        help.slice(start, help.indexOf("\n--public-metrics\n")),
        "\n--public-docs\n\n  Serve /openapi.json and /docs (Swagger UI) without a token, for a browser. Takes no value as a " +
          "flag (on when given), or true or false (1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False). Default: false. " +
          "Env: BATON_PUBLIC_DOCS; .baton.yaml key: public-docs.\n"
      )
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive(
    "an unknown, misspelt, doubled or valueless flag, or a stray argument, exits 2 saying which and what to do",
    () =>
      Effect.gen(function*() {
        const runs = yield* Effect.all([
          runService(["--prot", "8080"]),
          runService(["--sandbox", "--concurency", "4"]),
          runService(["--frobnicate"]),
          runService(["--wizard"]),
          runService(["--sandbox", "extra"]),
          runService(["--sandbox", "small", "extra"]),
          runService(["--port"]),
          runService(["--port", "1", "--port", "2"]),
          runService(["--api-secret", secret, `--api-secret=${secret}`]),
          runService(["-pq"])
        ], { concurrency: 4 })
        for (const [, stdout, stderr] of runs) assert.notInclude(stdout + stderr, secret)
        assert.deepStrictEqual(runs, [
          [2, "", "error: unknown flag '--prot'; did you mean '--port'? (see baton-fivetran-http --help)\n"],
          [2, "", "error: unknown flag '--concurency'; did you mean '--concurrency'? (see baton-fivetran-http --help)\n"],
          [2, "", "error: unknown flag '--frobnicate' (see baton-fivetran-http --help)\n"],
          [2, "", "error: unknown flag '--wizard' (see baton-fivetran-http --help)\n"],
          [2, "", "error: --sandbox: expected small, medium or large, got \"extra\"\n"],
          [2, "", "error: unexpected argument 'extra' (see baton-fivetran-http --help)\n"],
          [2, "", "error: --port needs a value (--port <port>)\n"],
          [2, "", "error: --port was given twice (\"1\", \"2\"); give it once\n"],
          [2, "", "error: --api-secret was given twice; give it once\n"],
          [2, "", "error: -pq: short flags are not grouped here; give each apart (-p -q)\n"]
        ])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive("baton-sdk's flags exit 2 saying so, why, and what the service offers instead", () =>
    Effect.gen(function*() {
      const runs = yield* Effect.all([
        runService(["--client-id", "id", "--client-secret", secret]),
        runService(["--sandbox", `--client-secret=${secret}`]),
        runService(["--sandbox", "--workers", "4"]),
        runService(["--sandbox", "--http-timeout-seconds", "300"]),
        runService(["--sandbox", "--c1z-temp-dir", "/scratch"]),
        runService(["--sandbox", "--sync-resource-types", "user"]),
        runService(["--sandbox", "--log-path", "/var/log/b.log"]),
        runService(["--sandbox", "--otel-collector-endpoint", "http://collector:4317"]),
        runService(["--sandbox", "--invoke-action", "x"]),
        runService(["--sandbox", "--ticketing"])
      ], { concurrency: 4 })
      for (const [, stdout, stderr] of runs) assert.notInclude(stdout + stderr, secret)
      const refusal = (flag: string, text: string) => [2, "", `error: ${flag} is a baton-sdk flag ${text}\n`] as const
      assert.deepStrictEqual(runs, [
        [2, "", `error: --client-id is ${serviceMode}\n`],
        [2, "", `error: --client-secret is ${serviceMode}\n`],
        [2, "", `error: --workers is ${workers}\n`],
        refusal(
          "--http-timeout-seconds",
          "(HTTP timeout) that baton-fivetran-http does not take: use --request-timeout <duration>, each attempt's limit (e.g. 300s)"
        ),
        refusal(
          "--c1z-temp-dir",
          "(c1z temporary directory) that baton-fivetran-http does not take: a sync builds its database in --data-dir; " +
            "SQLite's own temporary files go to SQLITE_TMPDIR (else TMPDIR), the working copies queries read to --temp-dir"
        ),
        refusal(
          "--sync-resource-types",
          "(targeted sync) that baton-fivetran-http does not take: every sync is of the whole account; read one type from " +
            "the latest sync (GET /v1/resources?type=<type>)"
        ),
        refusal(
          "--log-path",
          "(log file) that baton-fivetran-http does not take: it logs to stderr; redirect that (2>>baton-fivetran-http.log), " +
            "or let its supervisor collect it"
        ),
        refusal(
          "--otel-collector-endpoint",
          "(OpenTelemetry export) that baton-fivetran-http does not take: it exports through the standard variables: set " +
            "OTEL_EXPORTER_OTLP_ENDPOINT (and the other OTEL_* variables)"
        ),
        refusal(
          "--invoke-action",
          "(custom actions) that baton-fivetran-http does not take: it defines none; its provisioning actions are endpoints, " +
            "enabled with --provisioning (/openapi.json lists them)"
        ),
        refusal(
          "--ticketing",
          "(ticketing) that baton-fivetran-http does not take: it is not among this connector's capabilities (GET /v1/capabilities)"
        )
      ])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive(
    "their BATON_* variables and .baton.yaml keys are warned of, never their values, as is a misspelt key, each a log line; the service starts",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-cli-" })
        yield* fs.writeFileString(`${dir}/.baton.yaml`, "workers: 4\nport: 0\nprovisoning: true\n")
        // A shared environment: another connector's service-mode client, and an empty variable (unset).
        const env = { BATON_CLIENT_ID: "id", BATON_CLIENT_SECRET: secret, BATON_SKIP_GRANTS: "", BATON_HTTP_TOKENS: Token }
        const [consoleRun, jsonRun] = yield* Effect.all([
          runServiceOnce(["--sandbox", "--log-format", "console"], { cwd: dir, env }),
          runServiceOnce(["--sandbox", "--log-format", "json", "--data-dir", "json-data"], { cwd: dir, env })
        ])
        for (const run of [consoleRun, jsonRun]) {
          assert.strictEqual(run.code, 0, run.stderr)
          assert.include(run.stdout, "listening on http://127.0.0.1:")
          assert.notInclude(run.stdout + run.stderr, secret)
        }
        const warnings = [
          `.baton.yaml: "provisoning" is not a setting and is ignored; did you mean "provisioning"?`,
          `BATON_CLIENT_ID is ignored: it sets ${serviceMode}`,
          `BATON_CLIENT_SECRET is ignored: it sets ${serviceMode}`,
          `.baton.yaml: "workers" is ignored: it sets ${workers}`
        ]
        assert.deepStrictEqual(
          consoleRun.stderr.split("\n").filter((line) => / WARN /.test(line)).map((line) => line.replace(/^\d\d:\d\d:\d\d\.\d{3}Z /, "")),
          warnings.map((text) => `WARN  ${text}`)
        )
        assert.deepStrictEqual(
          jsonRun.stderr.split("\n").filter((line) => line.startsWith("{")).map(logFields).filter((line) => line["level"] === "warn"),
          [
            { level: "warn", msg: warnings[0], key: "provisoning", meant: "provisioning" },
            { level: "warn", msg: warnings[1], variable: "BATON_CLIENT_ID" },
            { level: "warn", msg: warnings[2], variable: "BATON_CLIENT_SECRET" },
            { level: "warn", msg: warnings[3], key: "workers" }
          ]
        )
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
