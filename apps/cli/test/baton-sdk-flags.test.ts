import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, assertNoSecret, logFields, runCli } from "./support/CliProcess.js"

/**
 * baton-sdk's standard flags that this connector does not take (settings' BatonSdkFlags.ts): as flags,
 * refused (exit 2) saying so, why and what to use instead; as BATON_* variables or .baton.yaml keys,
 * ignored with a warning, the run going on as without them.
 */

const secret = "do-not-print-this-secret-42"

const serviceMode = "a baton-sdk flag (service mode: a daemon taking tasks from ConductorOne) that baton-fivetran does not take: " +
  "it runs one sync or action and exits; run it on a schedule (cron, a Kubernetes CronJob), " +
  "or run the HTTP service (baton-fivetran-http --sync-every <duration>)"
const workers = "a baton-sdk flag (sync workers) that baton-fivetran does not take: " +
  "one bounded pool makes its Fivetran requests; use --concurrency <n>, how many run at once"
const openTelemetry = "a baton-sdk flag (OpenTelemetry export) that baton-fivetran does not take: " +
  "it exports through the standard variables: set OTEL_EXPORTER_OTLP_ENDPOINT (and the other OTEL_* variables)"

describe("baton-sdk's flags this connector does not take", () => {
  it.live(
    "as flags, on the root or a subcommand, exit 2 saying so, why, and what to use instead where there is something",
    () =>
      Effect.gen(function*() {
        const runs = yield* Effect.all([
          runCli(["--client-id", "id", "--client-secret", secret]),
          runCli(["--sandbox", `--client-secret=${secret}`]),
          runCli(["--sandbox", "--workers", "4"]),
          runCli(["--sandbox", "--http-timeout-seconds", "300"]),
          runCli(["--sandbox", "--c1z-temp-dir", "/scratch"]),
          runCli(["--sandbox", "--otel-collector-endpoint", "http://collector:4317"]),
          runCli(["resources", "--skip-grants"]),
          runCli(["--sandbox", "--ticketing"])
        ], { concurrency: 4 })
        for (const result of runs) assertNoSecret(result, secret)
        assert.deepStrictEqual(runs.map((result) => [result.exitCode, result.stdout, result.stderr]), [
          [2, "", `error: --client-id is ${serviceMode}\n`],
          [2, "", `error: --client-secret is ${serviceMode}\n`],
          [2, "", `error: --workers is ${workers}\n`],
          [
            2,
            "",
            "error: --http-timeout-seconds is a baton-sdk flag (HTTP timeout) that baton-fivetran does not take: " +
            "use --request-timeout <duration>, each attempt's limit (e.g. 300s)\n"
          ],
          [
            2,
            "",
            "error: --c1z-temp-dir is a baton-sdk flag (c1z temporary directory) that baton-fivetran does not take: " +
            "a sync builds its database beside --file (choose that directory); SQLite's own temporary files go to " +
            "SQLITE_TMPDIR (else TMPDIR), a review command's working copy to TMPDIR\n"
          ],
          [
            2,
            "",
            `error: --otel-collector-endpoint is ${openTelemetry}\n`
          ],
          [
            2,
            "",
            "error: --skip-grants is a baton-sdk flag (resource-only sync) that baton-fivetran does not take: " +
            "every sync writes the entitlements and grants an access review reads\n"
          ],
          [
            2,
            "",
            "error: --ticketing is a baton-sdk flag (ticketing) that baton-fivetran does not take: " +
            "it is not among this connector's capabilities (baton-fivetran capabilities)\n"
          ]
        ])
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )

  it.scopedLive(
    "as BATON_* variables or .baton.yaml keys, warned of and ignored: the run syncs as without them",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-" })
        yield* fs.writeFileString(`${dir}/.baton.yaml`, "workers: 4\nport: 8080\n")
        // A shared environment: another connector's service-mode client, and an empty variable (unset).
        const env = {
          BATON_CLIENT_ID: "id",
          BATON_CLIENT_SECRET: secret,
          BATON_SKIP_GRANTS: "",
          BATON_OTEL_COLLECTOR_ENDPOINT: "http://collector:4317"
        }
        const [consoleRun, jsonRun] = yield* Effect.all([
          runCli(["--sandbox", "-f", "console.c1z"], { cwd: dir, env }),
          runCli(["--sandbox", "-f", "json.c1z", "--log-format", "json"], { cwd: dir, env })
        ], { concurrency: 2 })
        for (const result of [consoleRun, jsonRun]) {
          assertExit(result, 0)
          assertNoSecret(result, secret)
        }
        const warnings = [
          `BATON_CLIENT_ID is ignored: it sets ${serviceMode}`,
          `BATON_CLIENT_SECRET is ignored: it sets ${serviceMode}`,
          `BATON_OTEL_COLLECTOR_ENDPOINT is ignored: it sets ${openTelemetry}`,
          `.baton.yaml: "workers" is ignored: it sets ${workers}`
        ]
        assert.deepStrictEqual(
          consoleRun.stderr.split("\n").filter((line) => line.startsWith("warning: ")),
          warnings.map((text) => `warning: ${text}`)
        )
        assert.match(consoleRun.stderr, /^sync complete: console\.c1z\n {2}resources {5}38 /m)
        assert.deepStrictEqual(logFields(jsonRun.stderr).filter((line) => line["level"] === "warn"), [
          { level: "warn", msg: warnings[0], variable: "BATON_CLIENT_ID" },
          { level: "warn", msg: warnings[1], variable: "BATON_CLIENT_SECRET" },
          { level: "warn", msg: warnings[2], variable: "BATON_OTEL_COLLECTOR_ENDPOINT" },
          { level: "warn", msg: warnings[3], key: "workers" }
        ])
        assert.deepStrictEqual(yield* Effect.all([fs.exists(`${dir}/console.c1z`), fs.exists(`${dir}/json.c1z`)]), [true, true])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
