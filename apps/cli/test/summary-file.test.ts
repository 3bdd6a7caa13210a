import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, runCli } from "./support/CliProcess.js"
import { connectionFlags, sandboxLayer } from "./support/Sandboxes.js"

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-summary-" }))

describe("--summary-file", () => {
  it.scopedLive("a completed sync writes the summary JSON (as on stderr) and leaves no temporary file", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const { flags } = yield* connectionFlags
      // The child inherits the common umask, which lets group and others read what it creates by default.
      const saved = process.umask(0o022)
      yield* Effect.addFinalizer(() => Effect.sync(() => process.umask(saved)))
      const result = yield* runCli([...flags, "--file", `${dir}/out.c1z`, "--log-format", "json"], {
        env: { BATON_SUMMARY_FILE: `${dir}/summary.json` }
      })
      assertExit(result, 0)
      // Owner-only: both hold every user's email and access.
      const modes = yield* Effect.forEach(["out.c1z", "summary.json"], (name) =>
        Effect.map(fs.stat(`${dir}/${name}`), (info) => info.mode & 0o777))
      assert.deepStrictEqual(modes, [0o600, 0o600])
      const logged = JSON.parse(
        result.stderr.split("\n").find((line) =>
          line.includes("\"sync complete\"")
        )!
      ) as Record<
        string,
        unknown
      >
      const written = JSON.parse(yield* fs.readFileString(`${dir}/summary.json`)) as Record<string, unknown>
      // The same values; the log line names them in snake case, the file as it always has.
      const loggedAs = [
        ["resources", "resources_by_type"],
        ["resourceTypes", "resource_types"],
        ["entitlements", "entitlements"],
        ["requests", "requests"],
        ["retries", "retries"],
        ["warnings", "warning_messages"],
        ["file", "file"],
        ["syncId", "c1z_sync_id"],
        ["durationMillis", "duration_ms"]
      ] as const
      for (const [field, logField] of loggedAs) assert.deepStrictEqual(written[field], logged[logField], field)
      assert.deepStrictEqual(written["grants"], { direct: logged["grants_direct"], derived: logged["grants_derived"] })
      assert.match(String(written["finishedAt"]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      assert.deepStrictEqual(Object.keys(written), [
        "resources",
        "resourceTypes",
        "entitlements",
        "grants",
        "requests",
        "retries",
        "rateLimitWaitMillis",
        "retryBackoffMillis",
        "rateLimit",
        "rateLimitWindowSeconds",
        "rateLimitLowestRemaining",
        "rateLimitReserve",
        "repeatBudgetWaitMillis",
        "warnings",
        "warningDetails",
        "durationMillis",
        "file",
        "syncId",
        "finishedAt"
      ])
      assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), ["out.c1z", "summary.json"])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)), { timeout: 120_000 })

  // Overlapping runs into one --file may leave another run's summary beside the .c1z: its id tells.
  it.scopedLive(
    "the summary names the sync it describes: its syncId is the sync id the .c1z read back holds",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const { flags } = yield* connectionFlags
        assertExit(yield* runCli([...flags, "--file", `${dir}/out.c1z`, "--summary-file", `${dir}/summary.json`]), 0)
        const verified = yield* runCli(["verify", "-f", `${dir}/out.c1z`, "-o", "json"])
        assertExit(verified, 0)
        const syncId = (JSON.parse(verified.stdout) as Record<string, unknown>)["sync_id"]
        assert.match(String(syncId), /^[0-9A-Za-z]{27}$/)
        const written = JSON.parse(yield* fs.readFileString(`${dir}/summary.json`)) as Record<string, unknown>
        assert.strictEqual(written["syncId"], syncId)
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "the sync file itself (by another spelling or a link) is refused with exit 2, and left as it was",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const sandbox = yield* Sandbox
        const { flags } = yield* connectionFlags
        yield* fs.writeFileString(`${dir}/out.c1z`, "C1ZF\u0000the previous sync")
        yield* fs.link(`${dir}/out.c1z`, `${dir}/linked.json`)
        const [spelled, linked] = yield* Effect.all([
          runCli([...flags, "--file", `${dir}/out.c1z`, "--summary-file", `${dir}/./out.c1z`]),
          runCli([...flags, "--file", `${dir}/out.c1z`, "--summary-file", `${dir}/linked.json`])
        ])
        assert.deepStrictEqual([spelled, linked].map((result) => [result.exitCode, result.stderr]), [
          [2, `error: --summary-file ${dir}/./out.c1z is the sync file (--file ${dir}/out.c1z): choose another path for the summary\n`],
          [2, `error: --summary-file ${dir}/linked.json is the sync file (--file ${dir}/out.c1z): choose another path for the summary\n`]
        ])
        assert.strictEqual(yield* fs.readFileString(`${dir}/out.c1z`), "C1ZF\u0000the previous sync")
        assert.strictEqual((yield* sandbox.requestLog).length, 0)
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "an existing file that is not a summary (a .c1z, .baton.yaml, other JSON) is refused with exit 2 and left as it was; a summary or an empty file is replaced",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const sandbox = yield* Sandbox
        const { flags } = yield* connectionFlags
        const others = {
          "last.c1z": "C1ZF\u0000the previous sync",
          ".baton.yaml": "api-key: k\n",
          "package.json": "{\"name\": \"x\", \"file\": \"y\"}\n",
          "list.json": "[]\n"
        }
        yield* Effect.forEach(Object.entries(others), ([name, text]) => fs.writeFileString(`${dir}/${name}`, text))
        const refused = yield* Effect.forEach(
          Object.keys(others),
          (name) => runCli([...flags, "--file", `${dir}/out.c1z`, "--summary-file", `${dir}/${name}`]),
          { concurrency: 2 }
        )
        assert.deepStrictEqual(
          refused.map((result) => [result.exitCode, result.stdout, result.stderr]),
          Object.keys(others).map((name) => [
            2,
            "",
            `error: --summary-file ${dir}/${name} is not a summary of a sync (a JSON object with "file" and "finishedAt"), ` +
            "and the sync would replace it: choose another path, or remove the file first if it is meant to go\n"
          ])
        )
        for (const [name, text] of Object.entries(others)) assert.strictEqual(yield* fs.readFileString(`${dir}/${name}`), text, name)
        assert.strictEqual((yield* sandbox.requestLog).length, 0)

        yield* fs.writeFileString(`${dir}/empty.json`, "")
        for (const summary of ["summary.json", "summary.json", "empty.json"]) {
          assertExit(yield* runCli([...flags, "--file", `${dir}/out.c1z`, "--summary-file", `${dir}/${summary}`]), 0)
        }
        for (const summary of ["summary.json", "empty.json"]) {
          const written = JSON.parse(yield* fs.readFileString(`${dir}/${summary}`)) as Record<string, unknown>
          assert.strictEqual(written["file"], `${dir}/out.c1z`)
        }
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    { timeout: 120_000 }
  )

  it.scopedLive(
    "a directory or a pipe (/dev/stdout under `| cat`) is refused with exit 2 before Fivetran is contacted; a failed sync writes none",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const sandbox = yield* Sandbox
        const { flags } = yield* connectionFlags
        const refused = yield* runCli([...flags, "--file", `${dir}/out.c1z`, "--summary-file", dir])
        assertExit(refused, 2)
        assert.include(
          refused.stderr,
          `error: --summary-file ${dir} is a directory, not a regular file: the sync writes a new file and renames it there`
        )
        // The CLI's stdout here is a socket (as Node gives a child its stdio; under `| cat` a pipe): /dev/stdout
        // is a link into /proc that names no path.
        for (const flag of ["--summary-file", "--file"]) {
          const others = flag === "--file" ? [] : ["--file", `${dir}/out.c1z`]
          const piped = yield* runCli([...flags, ...others, flag, "/dev/stdout"])
          assert.deepStrictEqual([piped.exitCode, piped.stderr.trim()], [
            2,
            `error: ${flag} /dev/stdout is a socket, not a regular file: the sync writes a new file and renames it there`
          ])
        }
        assert.strictEqual((yield* sandbox.requestLog).length, 0)

        const wrongSecret = flags.map((flag, i) => flags[i - 1] === "--api-secret" ? "not-the-secret" : flag)
        const failed = yield* runCli([...wrongSecret, "--file", `${dir}/out.c1z`, "--summary-file", `${dir}/summary.json`])
        assertExit(failed, 1)
        assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    { timeout: 120_000 }
  )
})
