import { NodeContext } from "@effect/platform-node"
import { FileSystem } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { readFileSync } from "node:fs"
import { assertExit, assertNoSecret, logFields, runCli } from "./support/CliProcess.js"

const packageVersion = Schema.decodeUnknownSync(Schema.parseJson(Schema.Struct({ version: Schema.String })))(
  readFileSync(new URL("../package.json", import.meta.url), "utf8")
).version

/** Bad usage never reaches Fivetran: no sandbox is needed, and the base URL points nowhere reachable. */
const secret = "do-not-print-this-secret-42"

/** A run whose output several tests read: started once, by the first of them. */
const runOnce = (args: ReadonlyArray<string>) => runCli(args).pipe(Effect.provide(NodeContext.layer), Effect.cached, Effect.runSync)

const versionRun = runOnce(["--version"])
const helpRun = runOnce(["--help"])
const resourcesHelpRun = runOnce(["resources", "--help"])
const sandboxHelpRun = runOnce(["sandbox", "--help"])

describe("usage", () => {
  it.live("an unknown flag exits 2 and names it", () =>
    Effect.gen(function*() {
      const result = yield* runCli(["--api-secret", secret, "--bogus-flag"])
      assertExit(result, 2)
      assertNoSecret(result, secret)
      assert.strictEqual(result.stderr, "error: unknown flag '--bogus-flag' (see baton-fivetran --help)\n")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live(
    "--wizard (@effect/cli's prompt mode, which waited for a terminal's answers forever) is an unknown flag, exit 2",
    () =>
      Effect.gen(function*() {
        const runs = yield* Effect.all([
          runCli(["--wizard"]),
          runCli(["sandbox", "--wizard"]),
          runCli(["-p", "--api-secret", secret, "--wizard", "--revoke-grant", "group:g:View Destination:user:u"])
        ], { concurrency: 3 })
        assert.deepStrictEqual(runs.map((result) => [result.exitCode, result.stdout, result.stderr]), [
          [2, "", "error: unknown flag '--wizard' (see baton-fivetran --help)\n"],
          [2, "", "error: unknown flag '--wizard' (see baton-fivetran --help)\n"],
          [2, "", "error: unknown flag '--wizard' (see baton-fivetran --help)\n"]
        ])
      }).pipe(Effect.provide(NodeContext.layer)),
    30_000
  )

  it.live("a misspelt or unknown command exits 2 naming it, with the command it is closest to, or all of them; one that is no word, unnamed", () =>
    Effect.gen(function*() {
      const runs = yield* Effect.all([
        runCli(["resource"]),
        runCli(["acces", "user:u"]),
        runCli(["help"]),
        runCli(["version"]),
        runCli(["frobnicate"]),
        // A secret whose flag was left out (or given twice) is a stray argument: never repeated.
        runCli(["--api-key", "key-of-the-test", secret])
      ], { concurrency: 3 })
      const commands = "access, capabilities, config, diff, entitlements, export, grants, resources, sandbox, verify"
      assert.deepStrictEqual(runs.map((result) => [result.exitCode, result.stdout, result.stderr]), [
        [2, "", "error: unknown command 'resource'; did you mean 'resources'? (see baton-fivetran --help)\n"],
        [2, "", "error: unknown command 'acces'; did you mean 'access'? (see baton-fivetran --help)\n"],
        [2, "", "error: unknown command 'help'; did you mean '--help'? (see baton-fivetran --help)\n"],
        [2, "", "error: unknown command 'version'; did you mean '--version'? (see baton-fivetran --help)\n"],
        [2, "", `error: unknown command 'frobnicate': the commands are ${commands} (see baton-fivetran --help)\n`],
        [
          2,
          "",
          "error: unknown command (not shown: it is no word, and may be a secret given without its flag): the " +
          `commands are ${commands} (see baton-fivetran --help)\n`
        ]
      ])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("an unknown flag, on the root or a subcommand, exits 2 naming it, the flag it is closest to and the command's help", () =>
    Effect.gen(function*() {
      const runs = yield* Effect.all([
        runCli(["--sync-conections"]),
        runCli(["resources", "-f", "x.c1z", "--tpye", "user"]),
        runCli(["sandbox", "--prest", "small"]),
        runCli(["diff", "--bogus", "a.c1z", "b.c1z"]),
        runCli(["access", "--entitlement", "--fail-on-change"])
      ], { concurrency: 3 })
      assert.deepStrictEqual(runs.map((result) => [result.exitCode, result.stdout, result.stderr]), [
        [2, "", "error: unknown flag '--sync-conections'; did you mean '--sync-connections'? (see baton-fivetran --help)\n"],
        [2, "", "error: unknown flag '--tpye'; did you mean '--type'? (see baton-fivetran resources --help)\n"],
        [2, "", "error: unknown flag '--prest'; did you mean '--preset'? (see baton-fivetran sandbox --help)\n"],
        [2, "", "error: unknown flag '--bogus' (see baton-fivetran diff --help)\n"],
        // A value starting with a dash is the flag's value, not a flag.
        [
          2,
          "",
          "error: --file sync.c1z: no such file; sync.c1z is the default: name the sync file with -f <file.c1z> " +
          "(or BATON_FILE), or write one here first: baton-fivetran -f sync.c1z\n"
        ]
      ])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a review command without -f, where the default sync.c1z is missing, says it is the default and how to name or make one", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-" })
      const [defaulted, given] = yield* Effect.all([
        runCli(["access", "user:u"], { cwd: dir }),
        runCli(["resources", "-f", "sync.c1z"], { cwd: dir })
      ], { concurrency: 2 })
      assert.deepStrictEqual([defaulted.exitCode, defaulted.stdout, defaulted.stderr], [
        2,
        "",
        "error: --file sync.c1z: no such file; sync.c1z is the default: name the sync file with -f <file.c1z> " +
        "(or BATON_FILE), or write one here first: baton-fivetran -f sync.c1z\n"
      ])
      assert.deepStrictEqual([given.exitCode, given.stderr], [2, "error: --file sync.c1z: no such file\n"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("a missing API secret exits 2 and names --api-secret and BATON_API_SECRET", () =>
    Effect.gen(function*() {
      const result = yield* runCli(["--api-key", "some-key"])
      assertExit(result, 2)
      assert.strictEqual(
        result.stderr,
        "error: missing --api-secret: pass it, set BATON_API_SECRET, or add \"api-secret:\" to .baton.yaml; " +
          "or name a file holding it with --api-secret-file\n"
      )
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("a missing API secret whose variable is set but empty says so (BATON_API_SECRET=$(cat no-such-file))", () =>
    Effect.gen(function*() {
      const result = yield* runCli(["--api-key", "some-key"], { env: { BATON_API_SECRET: "" } })
      assertExit(result, 2)
      assert.strictEqual(
        result.stderr,
        "error: missing --api-secret (BATON_API_SECRET is set but empty, which counts as unset: give it a value): " +
          "pass it, set BATON_API_SECRET, or add \"api-secret:\" to .baton.yaml; or name a file holding it with --api-secret-file\n"
      )
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("a bad BATON_CONCURRENCY exits 2 and names the variable and what it accepts", () =>
    Effect.gen(function*() {
      const result = yield* runCli(["--sandbox"], { env: { BATON_CONCURRENCY: "lots" } })
      assertExit(result, 2)
      assert.strictEqual(result.stderr, "error: BATON_CONCURRENCY: expected a whole number from 1 to 64, got \"lots\"\n")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("bad flag values exit 2 naming the flag: --log-level, --concurrency, --sandbox", () =>
    Effect.gen(function*() {
      const [logLevel, concurrency, sandbox] = yield* Effect.all([
        runCli(["--sandbox", "--log-level", "loud"]),
        runCli(["--sandbox", "--concurrency", "0"]),
        runCli(["--sandbox", "huge"])
      ], { concurrency: "unbounded" })
      assertExit(logLevel, 2)
      assert.strictEqual(
        logLevel.stderr,
        "error: --log-level: expected one of debug, info, warn, error, got \"loud\"\n"
      )
      assertExit(concurrency, 2)
      assert.strictEqual(concurrency.stderr, "error: --concurrency: expected a whole number from 1 to 64, got \"0\"\n")
      assertExit(sandbox, 2)
      assert.strictEqual(sandbox.stderr, "error: --sandbox: expected small, medium or large, got \"huge\"\n")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("a command's missing or extra argument, as @effect/cli refuses it, names where the command's usage is listed", () =>
    Effect.gen(function*() {
      const runs = yield* Effect.all([
        runCli(["diff", "old.c1z"]),
        runCli(["access", "user:a", "user:b", "-f", "sync.c1z"])
      ], { concurrency: "unbounded" })
      assert.deepStrictEqual(runs.map((run) => [run.exitCode, run.stderr]), [
        [2, "error: Missing argument <NEW.c1z> (see baton-fivetran diff --help)\n"],
        [2, "error: Received unknown argument: 'user:b' (see baton-fivetran access --help)\n"]
      ])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("a value left empty after = (--file=$UNSET) is refused as the same empty value given apart, naming the flag", () =>
    Effect.gen(function*() {
      const lines = [
        ["--sandbox", "--summary-file="],
        ["resources", "--type=", "-f", "sync.c1z"],
        ["--sandbox", "-p", "--revoke-grant="],
        ["--sandbox", "--api-secret=", "--concurrency", "4"]
      ]
      const runs = yield* Effect.all(lines.map((args) => runCli(args)), { concurrency: "unbounded" })
      assert.deepStrictEqual(runs.map((run) => [run.exitCode, run.stderr]), [
        [2, "error: --summary-file: expected the path of a file, got \"\"\n"],
        [2, "error: --type: expected user, role, group, team, connection, got \"\"\n"],
        [2, "error: --revoke-grant: expected a grant id (<entitlement id>:<principal type>:<principal id>), got \"\"\n"],
        [2, "error: --api-secret: expected secret text (never printed), got \"\"\n"]
      ])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a log level or format that is not one of the choices reads like every other refusal, from each source", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-" })
      yield* fs.writeFileString(`${dir}/.baton.yaml`, "log-format: xml\n")
      const empty = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-" })
      const runs = yield* Effect.all([
        runCli(["--sandbox"], { cwd: empty, env: { BATON_LOG_LEVEL: "verbose" } }),
        runCli(["--sandbox", "--log-format", "JSON"], { cwd: empty }),
        runCli(["--sandbox"], { cwd: empty, env: { BATON_LOG_FORMAT: "text" } }),
        runCli(["--sandbox"], { cwd: dir })
      ], { concurrency: 2 })
      const [level, flag, variable, file] = runs
      assert.deepStrictEqual([level.exitCode, level.stderr, flag.exitCode, flag.stderr], [
        2,
        "error: BATON_LOG_LEVEL: expected one of debug, info, warn, error, got \"verbose\"\n",
        2,
        "error: --log-format: expected one of console, json, got \"JSON\"\n"
      ])
      // A refused format leaves the default one, JSON when stderr is not a terminal.
      assert.deepStrictEqual([variable.exitCode, logFields(variable.stderr), file.exitCode, logFields(file.stderr)], [
        2,
        [{ level: "error", msg: "BATON_LOG_FORMAT: expected one of console, json, got \"text\"", exit_code: 2 }],
        2,
        [{ level: "error", msg: ".baton.yaml: log-format: expected one of console, json, got \"xml\"", exit_code: 2 }]
      ])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("BATON_CONFIG_PATH must name a .yaml/.yml file; a bad value in the file names the file and key", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-" })
      yield* fs.writeFileString(`${dir}/settings.yml`, "concurrency: many\n")
      yield* fs.writeFileString(`${dir}/broken.yml`, "concurrency: [1\n")
      const [notYaml, badValue, broken] = yield* Effect.all([
        runCli(["--sandbox"], { env: { BATON_CONFIG_PATH: `${dir}/settings.json` } }),
        runCli(["--sandbox"], { env: { BATON_CONFIG_PATH: `${dir}/settings.yml` } }),
        runCli(["--sandbox"], { env: { BATON_CONFIG_PATH: `${dir}/broken.yml` } })
      ], { concurrency: "unbounded" })
      assert.deepStrictEqual([broken.exitCode, broken.stderr], [
        2,
        `error: ${dir}/broken.yml is not valid YAML: Flow sequence in block collection must be sufficiently indented ` +
        "and end with a ] at line 2, column 1\n"
      ])
      assertExit(notYaml, 2)
      assert.strictEqual(
        notYaml.stderr,
        `error: BATON_CONFIG_PATH must name a .yaml or .yml file, got "${dir}/settings.json"\n`
      )
      assertExit(badValue, 2)
      assert.strictEqual(
        badValue.stderr,
        `error: ${dir}/settings.yml: concurrency: expected a whole number from 1 to 64, got "many"\n`
      )
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("a bad --create-account-profile exits 2 naming the missing or unknown field", () =>
    Effect.gen(function*() {
      const profile = (json: string) =>
        runCli(["--sandbox", "-p", "--create-account-email", "a@example.com", "--create-account-profile", json])
      const [notAnEmail, missing, notJson, misspelt, email] = yield* Effect.all([
        runCli([
          "--sandbox",
          "-p",
          "--create-account-email",
          "notanemail",
          "--create-account-profile",
          "{\"given_name\":\"A\",\"family_name\":\"B\"}"
        ]),
        profile("{\"given_name\":\"A\"}"),
        profile("{given"),
        profile("{\"given_name\":\"A\",\"family_name\":\"B\",\"Role\":\"Account Administrator\"}"),
        profile("{\"given_name\":\"A\",\"family_name\":\"B\",\"email\":\"b@example.com\"}")
      ], { concurrency: "unbounded" })
      assertExit(notAnEmail, 2)
      assert.include(notAnEmail.stderr, "error: cannot create the account: email \"notanemail\" is not an email address")
      assertExit(missing, 2)
      assert.include(missing.stderr, "error: --create-account-profile: family_name: is missing")
      assertExit(misspelt, 2)
      assert.include(misspelt.stderr, "error: --create-account-profile: Role is not a profile field (expected a JSON object")
      assertExit(email, 2)
      assert.include(email.stderr, "error: --create-account-profile: email is not a profile field (the email is --create-account-email)")
      assertExit(notJson, 2)
      assert.match(notJson.stderr, /^error: --create-account-profile: .*JSON/)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("an incomplete or doubled provisioning request exits 2 naming the flags", () =>
    Effect.gen(function*() {
      const [incomplete, doubled] = yield* Effect.all([
        runCli(["--sandbox", "-p", "--grant-entitlement", "role:Account Reviewer:assigned"]),
        runCli(["--sandbox", "-p", "--revoke-grant", "x", "--delete-resource", "y"])
      ], { concurrency: "unbounded" })
      assertExit(incomplete, 2)
      assert.strictEqual(incomplete.stderr, "error: granting needs --grant-principal\n")
      assertExit(doubled, 2)
      assert.strictEqual(
        doubled.stderr,
        "error: one provisioning action per run: got --revoke-grant and --delete-resource\n"
      )
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("a principal type other than user or team, a typed id, a resource type the connector lacks, or a login other than the email exits 2 before any request", () =>
    Effect.gen(function*() {
      const unreachable = ["--base-url", "http://127.0.0.1:9", "--api-key", "k", "--api-secret", secret, "-p"]
      const grant = ["--grant-entitlement", "group:g:View Destination", "--grant-principal"]
      const profile = ["--create-account-profile", "{\"given_name\":\"Bob\",\"family_name\":\"X\"}"]
      const results = yield* Effect.all([
        runCli([...unreachable, ...grant, "g2", "--grant-principal-type", "group"]),
        runCli([...unreachable, ...grant, "user:wise_cactus", "--grant-principal-type", "user"]),
        runCli([...unreachable, "--delete-resource", "user:fancy_petal", "--delete-resource-type", "user"]),
        runCli([...unreachable, "--delete-resource", "fancy_petal", "--delete-resource-type", "User"]),
        runCli([...unreachable, "--create-account-email", "bob@example.com", "--create-account-login", "other@example.com", ...profile])
      ], { concurrency: "unbounded" })
      assert.deepStrictEqual(results.map((result) => [result.exitCode, result.stderr, result.stdout]), [
        [2, "error: --grant-principal-type group: expected one of user, team (only users and teams hold grants)\n", ""],
        [
          2,
          "error: --grant-principal user:wise_cactus: give the id without its type (wise_cactus); the type goes in --grant-principal-type\n",
          ""
        ],
        [
          2,
          "error: --delete-resource user:fancy_petal: give the id without its type (fancy_petal); the type goes in --delete-resource-type\n",
          ""
        ],
        [
          2,
          "error: --delete-resource-type User: not a resource type of this connector; expected one of user, role, group, team, " +
          "connection (in lower case; only users can be deleted)\n",
          ""
        ],
        [
          2,
          "error: --create-account-login other@example.com differs from --create-account-email bob@example.com: " +
          "a Fivetran login is the user's email; give one of them\n",
          ""
        ]
      ])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("--version prints one line, and --help ends with one line break, with no blank line after them", () =>
    Effect.gen(function*() {
      const [version, subcommandVersion, help, resourcesHelp] = yield* Effect.all([
        versionRun,
        runCli(["resources", "--version"]),
        helpRun,
        resourcesHelpRun
      ], { concurrency: 2 })
      const versionLine = new RegExp(`^${packageVersion.replaceAll(".", "\\.")}( \\(commit [0-9a-f]+(-dirty)?\\))?\n$`)
      for (const result of [version, subcommandVersion]) {
        assertExit(result, 0)
        assert.match(result.stdout, versionLine)
      }
      for (const result of [help, resourcesHelp]) {
        assertExit(result, 0)
        assert.match(result.stdout, /[^\n]\n$/)
      }
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("--help or --version after other flags shows the help or the version, as at the start (cobra takes them anywhere)", () =>
    Effect.gen(function*() {
      const [rootHelp, syncFlagsHelp, resourcesHelp, accessHelp, rootVersion, resourcesVersion, alone] = yield* Effect.all([
        helpRun,
        runCli(["-f", "x.c1z", "--concurrency", "4", "--help"]),
        resourcesHelpRun,
        runCli(["access", "-o", "json", "user:u", "-h"]),
        runCli(["-p", "--api-secret", secret, "--version"]),
        runCli(["resources", "-f", "x.c1z", "--version"]),
        versionRun
      ], { concurrency: 2 })
      for (const result of [rootHelp, syncFlagsHelp, resourcesHelp, accessHelp, rootVersion, resourcesVersion, alone]) {
        assertExit(result, 0)
        assert.strictEqual(result.stderr, "")
      }
      assert.strictEqual(syncFlagsHelp.stdout, rootHelp.stdout)
      assert.include(resourcesHelp.stdout, "\n$ baton-fivetran resources [(-f, --file path)] ")
      assert.include(accessHelp.stdout, "\n$ baton-fivetran access [(-f, --file path)] ")
      assert.strictEqual(rootVersion.stdout, alone.stdout)
      assert.strictEqual(resourcesVersion.stdout, alone.stdout)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("--help lists each command by its name and positional arguments, its description beside them, not after hundreds of spaces", () =>
    Effect.gen(function*() {
      const [help, sandboxHelp, resourcesHelp] = yield* Effect.all([helpRun, sandboxHelpRun, resourcesHelpRun], { concurrency: 2 })
      for (const result of [help, sandboxHelp, resourcesHelp]) assertExit(result, 0)
      const commands = help.stdout.slice(help.stdout.indexOf("\nCOMMANDS\n")).split("\n").filter((line) => line.startsWith("  - "))
      // The descriptions start 2 columns after the widest synopsis (diff's, 24), after the list's "  - ".
      assert.deepStrictEqual(commands.map((line) => [line.slice(4, 30).trimEnd(), line.charAt(30) !== " "]), [
        ["capabilities", true],
        ["config", true],
        ["sandbox", true],
        ["resources", true],
        ["entitlements", true],
        ["grants", true],
        ["access [<type:id>]", true],
        ["diff <OLD.c1z> <NEW.c1z>", true],
        ["export", true],
        ["verify", true]
      ])
      assert.deepStrictEqual(commands.slice(0, 2), [
        "  - capabilities              Print the connector's capabilities (c1.connector.v2.ConnectorCapabilities JSON).",
        "  - config                    Print the connector's configuration schema (c1.config.v1.Configuration JSON)."
      ])
      // A subcommand's flags are in its own help, whose usage names the program as the root's does.
      assert.include(sandboxHelp.stdout, "\n$ baton-fivetran sandbox [--port port] [--host address] [--preset small|medium|large] ")
      // Padding reaches at most the description column (30, above): on an 80-column terminal every
      // description starts on its command's line. The old list padded to sandbox's flags, ~540 spaces.
      for (const result of [help, sandboxHelp, resourcesHelp]) assert.notMatch(result.stdout, / {30}/)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("--version prints the package version; capabilities and config print the manifests as JSON", () =>
    Effect.gen(function*() {
      const [version, capabilitiesRun, configRun] = yield* Effect.all([
        versionRun,
        runCli(["capabilities"]),
        runCli(["config"])
      ], { concurrency: "unbounded" })
      assertExit(version, 0)
      // Then the commit the bundle was built from (e2e's build-commit test).
      assert.strictEqual(version.stdout.trim().split(" ")[0], packageVersion)

      assertExit(capabilitiesRun, 0)
      const capabilities = JSON.parse(capabilitiesRun.stdout) as {
        readonly resourceTypeCapabilities: ReadonlyArray<{
          readonly resourceType: { readonly id: string }
          readonly capabilities: ReadonlyArray<string>
        }>
      }
      assert.deepStrictEqual(
        capabilities.resourceTypeCapabilities.map((entry) => entry.resourceType.id),
        ["connection", "group", "role", "team", "user"]
      )
      assert.deepStrictEqual(
        capabilities.resourceTypeCapabilities.find((entry) => entry.resourceType.id === "user")?.capabilities,
        ["CAPABILITY_SYNC", "CAPABILITY_ACCOUNT_PROVISIONING", "CAPABILITY_RESOURCE_DELETE"]
      )

      assertExit(configRun, 0)
      const config = JSON.parse(configRun.stdout) as {
        readonly fields: ReadonlyArray<{ readonly name: string; readonly isSecret?: boolean }>
      }
      assert.deepStrictEqual(
        config.fields.map((field) => field.name),
        [
          "api-key",
          "api-secret",
          "base-url",
          "sync-connections",
          "concurrency",
          "exclusion-groups",
          "rate-limit-reserve",
          "max-rate-limit-wait",
          "request-timeout"
        ]
      )
      assert.isTrue(config.fields.find((field) => field.name === "api-secret")?.isSecret)
    }).pipe(Effect.provide(NodeContext.layer)))
})
