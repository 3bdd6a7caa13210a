import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runCli } from "./support/CliProcess.js"

/**
 * `--progress-log-interval` (BATON_PROGRESS_LOG_INTERVAL, `progress-log-interval:`) takes 1s to 1h
 * with its unit, as the CLI's other durations: a bare number (seconds or minutes?), 0 or a day is
 * refused before the sync, exit 2, naming the source and what it takes. Its effect on the log:
 * progress-log-fields.test.ts.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-" }))

describe("--progress-log-interval (the CLI process)", () => {
  it.scopedLive(
    "a bare number, 0, under 1s or over 1h is refused from every source, naming it; nothing is synced",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const fileDir = yield* tempDir
        yield* fs.writeFileString(`${fileDir}/.baton.yaml`, "progress-log-interval: 0\n")
        const results = yield* Effect.forEach(
          [
            [["--progress-log-interval", "30"], { cwd: dir }],
            [["--progress-log-interval", "0s"], { cwd: dir }],
            [["--progress-log-interval", "500ms"], { cwd: dir }],
            [["--progress-log-interval", "1h1s"], { cwd: dir }],
            [[], { cwd: dir, env: { BATON_PROGRESS_LOG_INTERVAL: "30 s" } }],
            [[], { cwd: fileDir }]
          ] as const,
          ([args, options]) => runCli(["--sandbox", ...args], options),
          { concurrency: 2 }
        )
        const accepts = "expected a duration from 1s to 1h, with a unit, such as 10s, 30s or 5m"
        assert.deepStrictEqual(results.map((result) => [result.exitCode, result.stderr, result.stdout]), [
          [2, `error: --progress-log-interval: ${accepts}, got "30"\n`, ""],
          [2, `error: --progress-log-interval: ${accepts}, got "0s"\n`, ""],
          [2, `error: --progress-log-interval: ${accepts}, got "500ms"\n`, ""],
          [2, `error: --progress-log-interval: ${accepts}, got "1h1s"\n`, ""],
          [2, `error: BATON_PROGRESS_LOG_INTERVAL: ${accepts}, got "30 s"\n`, ""],
          [2, `error: .baton.yaml: progress-log-interval: ${accepts}, got "0"\n`, ""]
        ])
        assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
        assert.deepStrictEqual(yield* fs.readDirectory(fileDir), [".baton.yaml"])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.live("help names it with its range, default and other sources", () =>
    Effect.gen(function*() {
      const help = yield* runCli(["--help"])
      assert.strictEqual(help.exitCode, 0)
      assert.include(
        help.stdout.replace(/\s+/g, " "),
        "--progress-log-interval duration How often a sync logs its progress as an info line when stderr is not a terminal " +
          "or logs are JSON (a terminal gets a progress line redrawn in place instead). Takes a duration from 1s to 1h, " +
          "with a unit, such as 10s, 30s or 5m. Default: 30s. Env: BATON_PROGRESS_LOG_INTERVAL; .baton.yaml key: progress-log-interval."
      )
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})
