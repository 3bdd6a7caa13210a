import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { assertExit, assertNoSecret, jsonLines, logFields, runCli } from "./support/CliProcess.js"

/**
 * The CLI process reads each setting from flag > BATON_* variable > .baton.yaml (in its working
 * directory) > default, and a bad value from any of them is refused naming that source.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-" }))

describe("settings sources (the CLI process)", () => {
  it.scopedLive(
    "flag > env > .baton.yaml > default: the review commands open the file the winning source names",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const withFile = yield* tempDir
        const withoutFile = yield* tempDir
        yield* fs.writeFileString(`${withFile}/.baton.yaml`, "file: from-yaml.c1z\n")
        // The default's message goes on to say it is the default (usage.test.ts).
        const opened = (stderr: string) => /^error: --file (\S+): no such file(; .*)?\n$/.exec(stderr)?.[1]
        const [flag, env, file, fallback] = yield* Effect.all([
          runCli(["resources", "-f", "from-flag.c1z"], { cwd: withFile, env: { BATON_FILE: "from-env.c1z" } }),
          runCli(["resources"], { cwd: withFile, env: { BATON_FILE: "from-env.c1z" } }),
          runCli(["resources"], { cwd: withFile }),
          runCli(["resources"], { cwd: withoutFile })
        ], { concurrency: "unbounded" })
        assert.deepStrictEqual(
          [flag, env, file, fallback].map((result) => [result.exitCode, opened(result.stderr)]),
          [[2, "from-flag.c1z"], [2, "from-env.c1z"], [2, "from-yaml.c1z"], [2, "sync.c1z"]]
        )
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive("a sync takes its settings from .baton.yaml where neither a flag nor a variable gives them", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      yield* fs.writeFileString(`${dir}/.baton.yaml`, "file: from-yaml.c1z\nsync-connections: true\nlog-format: console\n")
      const result = yield* runCli(["--sandbox", "--log-format", "json"], { cwd: dir, env: { BATON_FILE: "from-env.c1z" } })
      assertExit(result, 0)
      const summary = jsonLines(result.stderr).find((line) => line["msg"] === "sync complete")
      assert.deepStrictEqual(
        [summary?.["file"], summary?.["resources_by_type"]],
        ["from-env.c1z", { user: 25, role: 6, group: 4, team: 3, connection: 8 }]
      )
      assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), [".baton.yaml", "from-env.c1z"])
      assert.notInclude(result.stderr, "warning:")
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive("an empty BATON_* variable is unset: .baton.yaml's value applies, else the default", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const withFile = yield* tempDir
      const withoutFile = yield* tempDir
      yield* fs.writeFileString(
        `${withFile}/.baton.yaml`,
        "file: from-yaml.c1z\nsync-connections: true\nrate-limit-reserve: 35\nlog-level: warn\nconcurrency: 2\n"
      )
      const variables = [
        "FILE",
        "SUMMARY_FILE",
        "API_KEY",
        "API_SECRET",
        "BASE_URL",
        "SYNC_CONNECTIONS",
        "EXCLUSION_GROUPS",
        "CONCURRENCY",
        "RATE_LIMIT_RESERVE",
        "MAX_RATE_LIMIT_WAIT",
        "LOG_LEVEL",
        "LOG_FORMAT",
        "PROVISIONING",
        "CONFIG_PATH"
      ]
      const env = Object.fromEntries(variables.map((name) => [`BATON_${name}`, ""]))
      const [fromFile, fromDefaults] = yield* Effect.all([
        runCli(["--sandbox", "--summary-file", "summary.json"], { cwd: withFile, env }),
        runCli(["--sandbox"], { cwd: withoutFile, env })
      ], { concurrency: "unbounded" })
      assertExit(fromFile, 0)
      assertExit(fromDefaults, 0)
      // log-level warn: nothing on stderr, not even the summary (an info line); the summary file has it.
      assert.strictEqual(fromFile.stderr, "")
      const fileSummary = JSON.parse(yield* fs.readFileString(`${withFile}/summary.json`)) as Record<string, unknown>
      assert.deepStrictEqual(
        [fileSummary?.["file"], fileSummary?.["resources"], fileSummary?.["rateLimitReserve"]],
        ["from-yaml.c1z", { user: 25, role: 6, group: 4, team: 3, connection: 8 }, 7000]
      )
      const defaultSummary = jsonLines(fromDefaults.stderr).find((line) => line["msg"] === "sync complete")
      assert.deepStrictEqual(
        [defaultSummary?.["file"], defaultSummary?.["resources_by_type"], defaultSummary?.["rate_limit_reserve"]],
        ["sync.c1z", { user: 25, role: 6, group: 4, team: 3 }, 4000]
      )
      assert.deepStrictEqual(yield* fs.readDirectory(withoutFile), ["sync.c1z"])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive(
    "a named pipe as .baton.yaml or BATON_CONFIG_PATH is refused (exit 2) instead of waiting for a writer; /dev/null is no settings",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        execFileSync("mkfifo", [`${dir}/.baton.yaml`, `${dir}/named.yaml`])
        const [asDefault, asVariable] = yield* Effect.all([
          runCli(["--sandbox"], { cwd: dir }),
          runCli(["--sandbox"], { cwd: dir, env: { BATON_CONFIG_PATH: "named.yaml" } })
        ], { concurrency: 2 })
        const rest = "is a named pipe (FIFO), not a file: the config file must be a regular file (or a link to /dev/null, for no settings)"
        assert.deepStrictEqual(
          [asDefault.exitCode, asDefault.stderr, asVariable.exitCode, asVariable.stderr],
          [2, `error: .baton.yaml ${rest}\n`, 2, `error: named.yaml ${rest}\n`]
        )
        const nullDir = yield* tempDir
        yield* fs.symlink("/dev/null", `${nullDir}/.baton.yaml`)
        const sync = yield* runCli(["--sandbox", "--log-format", "json"], { cwd: nullDir })
        assertExit(sync, 0)
        assert.strictEqual(jsonLines(sync.stderr).find((line) => line["msg"] === "sync complete")?.["file"], "sync.c1z")
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive("a .baton.yaml number YAML reads as a fraction, a boolean or an inexact number is refused (exit 2) as the file writes it", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const values = ["2.5", "True", "1e30"]
      const dirs = yield* Effect.forEach(
        values,
        (value) => Effect.tap(tempDir, (dir) => fs.writeFileString(`${dir}/.baton.yaml`, `concurrency: ${value}\n`))
      )
      const runs = yield* Effect.forEach(dirs, (dir) => runCli(["--sandbox"], { cwd: dir }), { concurrency: 3 })
      const expected = "error: .baton.yaml: concurrency: expected a whole number from 1 to 64, got"
      assert.deepStrictEqual(runs.map((result) => [result.exitCode, result.stdout, result.stderr]), [
        [2, "", `${expected} 2.5 (a number with a fraction)\n`],
        [2, "", `${expected} True (a boolean)\n`],
        [2, "", `${expected} 1e30 (a number past 9007199254740991, the largest read exactly)\n`]
      ])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a .baton.yaml or BATON_CONFIG_PATH over 1 MiB (a disk image named by mistake), or /dev/zero, is refused (exit 2) unread", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      // Sparse: a disk image's size to the file system, nothing on the disk.
      execFileSync("truncate", ["-s", "3G", `${dir}/.baton.yaml`])
      execFileSync("truncate", ["-s", "1048577", `${dir}/over.yml`])
      yield* fs.symlink("/dev/zero", `${dir}/zero.yaml`)
      const runs = yield* Effect.all([
        runCli(["--sandbox"], { cwd: dir }),
        runCli(["--sandbox"], { cwd: dir, env: { BATON_CONFIG_PATH: "over.yml" } }),
        runCli(["--sandbox"], { cwd: dir, env: { BATON_CONFIG_PATH: "zero.yaml" } })
      ], { concurrency: 3 })
      assert.deepStrictEqual(runs.map((result) => [result.exitCode, result.stdout, result.stderr]), [
        [2, "", "error: .baton.yaml is 3221225472 bytes (3 GiB), over the limit of 1048576 bytes (1 MiB) for a config file\n"],
        [2, "", "error: over.yml is 1048577 bytes (1 MiB), over the limit of 1048576 bytes (1 MiB) for a config file\n"],
        [
          2,
          "",
          "error: zero.yaml is a character device, not a file: the config file must be a regular file (or a link to /dev/null, for no settings)\n"
        ]
      ])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scopedLive("a .baton.yaml that is empty, only comments or --- is no settings; a list is refused", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const texts = ["", "# all commented out\n# concurrency: 4\n", "---\n"]
      const dirs = yield* Effect.forEach(texts, (text) => Effect.tap(tempDir, (dir) => fs.writeFileString(`${dir}/.baton.yaml`, text)))
      const syncs = yield* Effect.forEach(dirs, (dir) => runCli(["--sandbox", "--log-format", "json"], { cwd: dir }), { concurrency: 2 })
      const summaries = syncs.map((result) => {
        assertExit(result, 0)
        const summary = jsonLines(result.stderr).find((line) => line["msg"] === "sync complete")
        return [summary?.["file"], summary?.["rate_limit_reserve"]]
      })
      assert.deepStrictEqual(summaries, [["sync.c1z", 4000], ["sync.c1z", 4000], ["sync.c1z", 4000]])
      const review = yield* runCli(["resources", "-o", "json"], { cwd: dirs[0]! })
      assertExit(review, 0)
      assert.strictEqual(review.stderr, "")
      const listDir = yield* tempDir
      yield* fs.writeFileString(`${listDir}/.baton.yaml`, "- concurrency: 4\n")
      const listed = yield* runCli(["--sandbox"], { cwd: listDir })
      assert.deepStrictEqual(
        [listed.exitCode, listed.stderr, listed.stdout],
        [2, "error: .baton.yaml must hold settings as \"key: value\" lines, got a list\n", ""]
      )
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive(
    "a list or a map where .baton.yaml should give one value is refused (exit 2) naming the file, the key, what it is and what is expected",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>, string]> = [
          ["concurrency: []\n", ["--sandbox"], "concurrency: expected a whole number from 1 to 64, got a list"],
          ["concurrency: {}\n", ["--sandbox"], "concurrency: expected a whole number from 1 to 64, got a map"],
          [
            "sync-connections: {on: yes}\n",
            ["--sandbox"],
            "sync-connections: expected no value as a flag (on when given), or true or false (1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False), got a map"
          ],
          // Read as no value at all: the review command opened sync.c1z.
          ["file: []\n", ["resources"], "file: expected the path of a file, got a list"],
          ["api-key: [d0Xj]\n", ["--sandbox"], "api-key: expected secret text (never printed), got a list"]
        ]
        const results = yield* Effect.forEach(cases, ([text, args]) =>
          Effect.gen(function*() {
            const dir = yield* tempDir
            yield* fs.writeFileString(`${dir}/.baton.yaml`, text)
            return yield* runCli(args, { cwd: dir })
          }), { concurrency: 2 })
        assert.deepStrictEqual(
          results.map((result) => [result.exitCode, result.stderr, result.stdout]),
          cases.map(([, , reason]) => [2, `error: .baton.yaml: ${reason}\n`, ""])
        )
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "a .baton.yaml value YAML reads as a tag is refused (exit 2) naming the key and line; the parser prints nothing",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        yield* fs.writeFileString(`${dir}/.baton.yaml`, "api-key: K\napi-secret: !Q9v SECRETVAL999\n")
        const result = yield* runCli(["-f", "x.c1z"], { cwd: dir })
        assert.deepStrictEqual([result.exitCode, result.stderr, result.stdout], [
          2,
          `error: .baton.yaml: api-secret (line 2): the value starts with "!", which YAML reads as a tag; put the value in ` +
          `quotes ('...', with a ' inside written twice)\n`,
          ""
        ])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive("a misspelt .baton.yaml key is named on stderr with the key it probably meant, and ignored", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      yield* fs.writeFileString(`${dir}/.baton.yaml`, "sync-conections: true\nport: 8080\n")
      const [result, json] = yield* Effect.all([
        runCli(["--sandbox", "-f", "out.c1z"], { cwd: dir }),
        runCli(["--sandbox", "--log-format", "json", "-f", "json.c1z"], { cwd: dir })
      ])
      assertExit(result, 0)
      assert.include(
        result.stderr,
        "warning: .baton.yaml: \"sync-conections\" is not a setting and is ignored; did you mean \"sync-connections\"?\n"
      )
      // One warning: `port` is the HTTP service's (one file may serve both apps).
      assert.strictEqual(result.stderr.split("warning:").length - 1, 1)
      assert.match(result.stderr, /^sync complete: out\.c1z\n {2}resources {5}38 \(25 user, 6 role, 4 group, 3 team\)$/m)
      // With JSON logs, the warning is a JSON line too.
      assertExit(json, 0)
      assert.deepStrictEqual(logFields(json.stderr).filter((line) => line["level"] === "warn"), [{
        level: "warn",
        msg: ".baton.yaml: \"sync-conections\" is not a setting and is ignored; did you mean \"sync-connections\"?",
        key: "sync-conections",
        meant: "sync-connections"
      }])
      const summary = jsonLines(json.stderr).find((line) => line["msg"] === "sync complete")
      assert.isUndefined((summary?.["resources_by_type"] as Record<string, number> | undefined)?.["connection"])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive("a switch given false on the command line wins over the variable and the file", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      yield* fs.writeFileString(`${dir}/.baton.yaml`, "provisioning: true\nsync-connections: true\n")
      const deleteUser = ["--sandbox", "--delete-resource", "fancy_petal", "--delete-resource-type", "user"]
      const refused = "error: provisioning is disabled: add -p/--provisioning to run --delete-resource\n"
      const [fromEnv, fromFile, shortFlag, bad, sync] = yield* Effect.all([
        runCli(["--provisioning=false", ...deleteUser], { cwd: dir, env: { BATON_PROVISIONING: "true" } }),
        runCli(["--provisioning", "false", ...deleteUser], { cwd: dir }),
        runCli(["-p", "False", ...deleteUser], { cwd: dir, env: { BATON_PROVISIONING: "true" } }),
        runCli(["--provisioning=maybe", ...deleteUser], { cwd: dir }),
        runCli(["--sandbox", "--sync-connections=false", "--log-format", "json", "-f", `${dir}/out.c1z`], { cwd: dir })
      ], { concurrency: "unbounded" })
      assert.deepStrictEqual([fromEnv, fromFile, shortFlag].map((result) => [result.exitCode, result.stderr, result.stdout]), [
        [1, refused, ""],
        [1, refused, ""],
        [1, refused, ""]
      ])
      assert.deepStrictEqual([bad.exitCode, bad.stderr], [
        2,
        "error: --provisioning: expected true or false (1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False), got \"maybe\"\n"
      ])
      assertExit(sync, 0)
      const summary = jsonLines(sync.stderr).find((line) => line["msg"] === "sync complete")
      assert.deepStrictEqual(summary?.["resources_by_type"], { user: 25, role: 6, group: 4, team: 3 })
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive(
    "a boolean takes Go's spellings (TRUE, t, F...) from a variable, the file or a flag, and refuses yes, on and no",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const quoted = yield* tempDir
        yield* fs.writeFileString(`${quoted}/.baton.yaml`, "sync-connections: \"t\"\n")
        const sync = (name: string, cwd: string, env: Record<string, string>, flags: ReadonlyArray<string> = []) =>
          runCli(["--sandbox", "--log-format", "json", "-f", `${dir}/${name}.c1z`, ...flags], { cwd, env })
        const deleteUser = ["--sandbox", "--delete-resource", "fancy_petal", "--delete-resource-type", "user"]
        const [upper, fromFile, lowerFalse, offByFlag, yes, on, no] = yield* Effect.all([
          sync("upper", dir, { BATON_SYNC_CONNECTIONS: "TRUE" }),
          sync("file", quoted, {}),
          sync("lower", quoted, { BATON_SYNC_CONNECTIONS: "f" }),
          runCli(["--provisioning=FALSE", ...deleteUser], { cwd: dir, env: { BATON_PROVISIONING: "True" } }),
          runCli(["--sandbox", "-f", `${dir}/yes.c1z`], { cwd: dir, env: { BATON_SYNC_CONNECTIONS: "yes" } }),
          runCli(["--sync-connections=on", "--sandbox", "-f", `${dir}/on.c1z`], { cwd: dir }),
          runCli(["-p", "no", ...deleteUser], { cwd: dir })
        ], { concurrency: "unbounded" })
        const connections = (result: typeof upper) => {
          assertExit(result, 0)
          const summary = jsonLines(result.stderr).find((line) => line["msg"] === "sync complete")
          return (summary?.["resources_by_type"] as Record<string, number> | undefined)?.["connection"]
        }
        assert.deepStrictEqual([upper, fromFile, lowerFalse].map(connections), [8, 8, undefined])
        assert.deepStrictEqual(
          [offByFlag.exitCode, offByFlag.stderr],
          [1, "error: provisioning is disabled: add -p/--provisioning to run --delete-resource\n"]
        )
        const accepted = "expected true or false (1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False)"
        assert.deepStrictEqual([yes, on, no].map((result) => [result.exitCode, result.stderr]), [
          [2, `error: BATON_SYNC_CONNECTIONS: ${accepted}, got "yes"\n`],
          [2, `error: --sync-connections: ${accepted}, got "on"\n`],
          [2, `error: --provisioning: ${accepted}, got "no"\n`]
        ])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "a bad value is refused (exit 2) naming its source: the flag, the variable, or the file and key",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        yield* fs.writeFileString(`${dir}/.baton.yaml`, "max-rate-limit-wait: soon\n")
        const [flag, env, file] = yield* Effect.all([
          runCli(["--sandbox", "--concurrency", "65"], { cwd: dir }),
          runCli(["--sandbox"], { cwd: dir, env: { BATON_CONCURRENCY: "lots" } }),
          runCli(["--sandbox", "--concurrency", "4"], { cwd: dir })
        ], { concurrency: "unbounded" })
        assert.deepStrictEqual([flag, env, file].map((result) => [result.exitCode, result.stderr, result.stdout]), [
          [2, "error: --concurrency: expected a whole number from 1 to 64, got \"65\"\n", ""],
          [2, "error: BATON_CONCURRENCY: expected a whole number from 1 to 64, got \"lots\"\n", ""],
          [2, "error: .baton.yaml: max-rate-limit-wait: expected a duration such as 1h, 10m, 90s or 1h30m, got \"soon\"\n", ""]
        ])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "a bad value is refused even where a higher source gives a good one: every source is checked",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const [reserveDir, concurrencyDir, emptyDir] = yield* Effect.all([tempDir, tempDir, tempDir])
        yield* fs.writeFileString(`${reserveDir}/.baton.yaml`, "rate-limit-reserve: abc\n")
        yield* fs.writeFileString(`${concurrencyDir}/.baton.yaml`, "concurrency: 0\n")
        const runs = yield* Effect.all([
          runCli(["--sandbox"], { cwd: reserveDir, env: { BATON_RATE_LIMIT_RESERVE: "40" } }),
          runCli(["--sandbox", "--concurrency", "4"], { cwd: concurrencyDir }),
          runCli(["--sandbox", "--log-level", "debug"], { cwd: emptyDir, env: { BATON_LOG_LEVEL: "trace" } })
        ], { concurrency: 2 })
        assert.deepStrictEqual(runs.map((result) => [result.exitCode, result.stderr, result.stdout]), [
          [2, "error: .baton.yaml: rate-limit-reserve: expected a whole number from 0 to 99, got \"abc\"\n", ""],
          [2, "error: .baton.yaml: concurrency: expected a whole number from 1 to 64, got \"0\"\n", ""],
          [2, "error: BATON_LOG_LEVEL: expected one of debug, info, warn, error, got \"trace\"\n", ""]
        ])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive("a secret from any source is never echoed: not in a refusal, not in help", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const canary = "canary-secret-7f3a9c"
      yield* fs.writeFileString(`${dir}/.baton.yaml`, `api-key: ${canary}-key\napi-secret: ${canary}\nconcurrency: many\n`)
      const refused = yield* runCli(["--api-secret", `${canary}-flag`], { cwd: dir, env: { BATON_API_KEY: `${canary}-env` } })
      assertExit(refused, 2)
      assert.strictEqual(refused.stderr, "error: .baton.yaml: concurrency: expected a whole number from 1 to 64, got \"many\"\n")
      assertNoSecret(refused, canary)
      const help = yield* runCli(["--help"], { cwd: dir, env: { BATON_API_SECRET: canary } })
      assertExit(help, 0)
      assertNoSecret(help, canary)
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
