import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertNoSecret, type CliOptions, runCli } from "./support/CliProcess.js"

/**
 * How the CLI process reads a setting's value, whatever its source: a number is plain decimal
 * digits, a duration has its unit, and a flag or a .baton.yaml key given an empty value is refused (an empty variable is
 * unset: settings-sources.test.ts). Every refusal is exit 2 and one line, before any work.
 */

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-" }))

const refusals = (runs: ReadonlyArray<readonly [ReadonlyArray<string>, CliOptions]>) =>
  Effect.forEach(runs, ([args, options]) => runCli(["--sandbox", ...args], options), { concurrency: 2 }).pipe(
    Effect.map((results) => results.map((result) => [result.exitCode, result.stderr, result.stdout]))
  )

describe("setting values (the CLI process)", () => {
  it.scopedLive("a number must be plain decimal digits: anything else is refused, naming it and its source", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const results = yield* refusals([
        [["--rate-limit-reserve", ""], { cwd: dir }],
        [["--rate-limit-reserve", " "], { cwd: dir }],
        [["--rate-limit-reserve", "0x10"], { cwd: dir }],
        [["--rate-limit-reserve", "12.5"], { cwd: dir }],
        [["--concurrency", "1e1"], { cwd: dir }],
        [["--concurrency", "8.0"], { cwd: dir }],
        [["--concurrency", "0x10"], { cwd: dir }],
        [[], { cwd: dir, env: { BATON_CONCURRENCY: " 8" } }]
      ])
      const reserve = "expected a whole number from 0 to 99"
      const concurrency = "expected a whole number from 1 to 64"
      assert.deepStrictEqual(results, [
        [2, `error: --rate-limit-reserve: ${reserve}, got ""\n`, ""],
        [2, `error: --rate-limit-reserve: ${reserve}, got " "\n`, ""],
        [2, `error: --rate-limit-reserve: ${reserve}, got "0x10"\n`, ""],
        [2, `error: --rate-limit-reserve: ${reserve}, got "12.5"\n`, ""],
        [2, `error: --concurrency: ${concurrency}, got "1e1"\n`, ""],
        [2, `error: --concurrency: ${concurrency}, got "8.0"\n`, ""],
        [2, `error: --concurrency: ${concurrency}, got "0x10"\n`, ""],
        [2, `error: BATON_CONCURRENCY: ${concurrency}, got " 8"\n`, ""]
      ])
      // Refused before the sync: no sync.c1z in the working directory.
      assert.deepStrictEqual(yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readDirectory(dir)), [])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive(
    "a key or secret with a character outside printable ASCII is refused from every source, never printed",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const fileDir = yield* tempDir
        yield* fs.writeFileString(`${fileDir}/.baton.yaml`, "api-key: k\napi-secret: \"s\u00e9cret-from-yaml\"\n")
        const runs = yield* Effect.forEach(
          [
            [["--api-key", "k", "--api-secret", "\u03a9secret-from-flag"], { cwd: dir }],
            [[], { cwd: dir, env: { BATON_API_KEY: "key\twith-tab", BATON_API_SECRET: "s" } }],
            [[], { cwd: fileDir }]
          ] as const,
          ([args, options]) => runCli(args, options),
          { concurrency: 2 }
        )
        const expected = "expected secret text (never printed) of printable ASCII characters, as Fivetran's keys and " +
          "secrets are; it holds another character (a control character, or one pasted from a document?)"
        assert.deepStrictEqual(runs.map((result) => [result.exitCode, result.stderr, result.stdout]), [
          [2, `error: --api-secret: ${expected}\n`, ""],
          [2, `error: BATON_API_KEY: ${expected}\n`, ""],
          [2, `error: .baton.yaml: api-secret: ${expected}\n`, ""]
        ])
        assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "a key or secret with a space at its start or end is refused naming the setting, never printed",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const runs = yield* Effect.forEach(
          [
            [["--api-key", "k", "--api-secret", "secret-with-a-space "], { cwd: dir }],
            [[], { cwd: dir, env: { BATON_API_KEY: " key-with-a-space", BATON_API_SECRET: "s" } }]
          ] as const,
          ([args, options]) => runCli(args, options),
          { concurrency: 2 }
        )
        const expected = "expected secret text (never printed) without a space at its start or end (copied with the " +
          "space around it?): Fivetran's keys and secrets have none"
        assert.deepStrictEqual(runs.map((result) => [result.exitCode, result.stderr, result.stdout]), [
          [2, `error: --api-secret: ${expected}\n`, ""],
          [2, `error: BATON_API_KEY: ${expected}\n`, ""]
        ])
        for (const result of runs) assertNoSecret(result, "with-a-space")
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "an API key given with its secret (key:secret, its base64, a Basic header's value) is refused, never printed",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const joined = "ftk7Qm2ZrXw9LpAq:fts3Nc8Hd5Ks1Jy6TzP2"
        const base64 = Buffer.from(joined).toString("base64")
        const runs = yield* Effect.forEach(
          [
            [["--api-key", joined, "--api-secret", "fts3Nc8Hd5Ks1Jy6TzP2"], { cwd: dir }],
            [[], { cwd: dir, env: { BATON_API_KEY: base64, BATON_API_SECRET: "fts3Nc8Hd5Ks1Jy6TzP2" } }],
            [["--api-key", `Basic ${base64}`, "--api-secret", "fts3Nc8Hd5Ks1Jy6TzP2"], { cwd: dir }]
          ] as const,
          ([args, options]) => runCli(args, options),
          { concurrency: 2 }
        )
        const expected = "expected the API key alone (never printed), got the key and its secret together (key:secret, " +
          "or its base64 from an Authorization: Basic header): give the key to api-key and the secret to api-secret"
        assert.deepStrictEqual(runs.map((result) => [result.exitCode, result.stderr, result.stdout]), [
          [2, `error: --api-key: ${expected}\n`, ""],
          [2, `error: BATON_API_KEY: ${expected}\n`, ""],
          [2, `error: --api-key: ${expected}\n`, ""]
        ])
        for (const result of runs) {
          for (const secret of ["fts3Nc8Hd5Ks1Jy6TzP2", "ftk7Qm2ZrXw9LpAq", base64]) assertNoSecret(result, secret)
        }
        assert.deepStrictEqual(yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readDirectory(dir)), [])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "a key or secret ending in a line break (a file's last newline) is refused saying so, never printed",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const fileDir = yield* tempDir
        yield* fs.writeFileString(`${fileDir}/.baton.yaml`, "api-key: k\napi-secret: |\n  fts3Nc8Hd5Ks1Jy6TzP2\n")
        const runs = yield* Effect.forEach(
          [
            [[], { cwd: dir, env: { BATON_API_KEY: "k", BATON_API_SECRET: "fts3Nc8Hd5Ks1Jy6TzP2\n" } }],
            [[], { cwd: dir, env: { BATON_API_KEY: "ftk7Qm2ZrXw9LpAq\r\n", BATON_API_SECRET: "s" } }],
            [[], { cwd: fileDir }]
          ] as const,
          ([args, options]) => runCli(args, options),
          { concurrency: 2 }
        )
        const expected = "expected secret text (never printed) without a line break at its end: it has one (a file's " +
          "last newline: a Kubernetes secret made from a file written by echo, or a YAML | block; write it with " +
          "printf, or use |-)"
        assert.deepStrictEqual(runs.map((result) => [result.exitCode, result.stderr, result.stdout]), [
          [2, `error: BATON_API_SECRET: ${expected}\n`, ""],
          [2, `error: BATON_API_KEY: ${expected}\n`, ""],
          [2, `error: .baton.yaml: api-secret: ${expected}\n`, ""]
        ])
        for (const result of runs) for (const secret of ["fts3Nc8Hd5Ks1Jy6TzP2", "ftk7Qm2ZrXw9LpAq"]) assertNoSecret(result, secret)
        assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive("a duration without its unit is refused from every source, not read as seconds", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* tempDir
      const withFile = yield* tempDir
      yield* fs.writeFileString(`${withFile}/.baton.yaml`, "max-rate-limit-wait: 10\n")
      const results = yield* refusals([
        [["--max-rate-limit-wait", "10"], { cwd: dir }],
        [[], { cwd: dir, env: { BATON_MAX_RATE_LIMIT_WAIT: "10" } }],
        [[], { cwd: withFile }],
        [["--max-rate-limit-wait", "0"], { cwd: dir }]
      ])
      const withUnit = "expected a duration with a unit, such as 90s, 10m, 1h or 1h30m"
      assert.deepStrictEqual(results, [
        [2, `error: --max-rate-limit-wait: ${withUnit}, got "10"\n`, ""],
        [2, `error: BATON_MAX_RATE_LIMIT_WAIT: ${withUnit}, got "10"\n`, ""],
        [2, `error: .baton.yaml: max-rate-limit-wait: ${withUnit}, got "10"\n`, ""],
        [2, `error: --max-rate-limit-wait: ${withUnit}, got "0"\n`, ""]
      ])
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)

  it.scopedLive("an empty flag or .baton.yaml value is refused; a key without a value is unset", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const emptyString = yield* tempDir
      const nothing = yield* tempDir
      yield* fs.writeFileString(`${emptyString}/.baton.yaml`, "rate-limit-reserve: \"\"\n")
      yield* fs.writeFileString(`${nothing}/.baton.yaml`, "rate-limit-reserve:\n")
      const results = yield* refusals([
        [[], { cwd: emptyString }],
        [["--file", ""], { cwd: nothing }],
        [["--log-format", ""], { cwd: nothing }],
        [["--log-level", ""], { cwd: nothing }]
      ])
      assert.deepStrictEqual(results, [
        [2, "error: .baton.yaml: rate-limit-reserve: expected a whole number from 0 to 99, got \"\"\n", ""],
        [2, "error: --file: expected the path of a file, got \"\"\n", ""],
        [2, "error: --log-format: expected one of console, json, got \"\"\n", ""],
        [2, "error: --log-level: expected one of debug, info, warn, error, got \"\"\n", ""]
      ])
      const unset = yield* runCli(["--sandbox", "-f", "out.c1z", "--log-format", "json"], { cwd: nothing })
      assert.deepStrictEqual([unset.exitCode, unset.stdout], [0, ""])
      assert.include(unset.stderr, "\"rate_limit_reserve\":4000,")
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
