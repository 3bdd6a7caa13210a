import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { logFields } from "./Harness.js"
import { runServiceOnce, sandboxServiceArgs } from "./ServiceProcess.js"

/**
 * A secret given as a flag stays on the service's command line while it runs, where every local user
 * reads it (ps, /proc/<pid>/cmdline): the start warns once, naming the flags and where to give each
 * instead, never a value. A secret from its variable or from .baton.yaml is not warned of.
 */

const Token = "secret-flags-test-token"
const ReadToken = "secret-flags-test-read-token"
const Message = "secrets given as flags, which every local user can read on the command line"

/** The service's JSON log lines at warn, without their time. */
const warnings = (stderr: string) =>
  stderr.split("\n").filter((line) => line.startsWith("{")).map(logFields).filter((line) => line.level === "warn")

describe("secrets given as flags", () => {
  it.scopedLive("warned of once at start, naming each flag and its variable and key, never a value", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const { args, env } = yield* sandboxServiceArgs(Token)
      const secrets = [env.BATON_API_KEY!, env.BATON_API_SECRET!, Token, ReadToken]
      const flags = [
        "--token",
        Token,
        "--read-token",
        ReadToken,
        "--api-key",
        env.BATON_API_KEY!,
        "--api-secret",
        env.BATON_API_SECRET!
      ]
      const json = yield* runServiceOnce([...args, ...flags, "--log-format", "json"], {
        cwd: yield* fs.makeTempDirectoryScoped()
      })
      // Two flags only, the key from its variable: the console line names those two.
      const console = yield* runServiceOnce([...args, "--token", Token, "--api-secret", env.BATON_API_SECRET!, "--log-format", "console"], {
        cwd: yield* fs.makeTempDirectoryScoped(),
        env: { BATON_API_KEY: env.BATON_API_KEY! }
      })

      assert.deepStrictEqual([json.code, console.code], [0, 0], json.stderr + console.stderr)
      assert.deepStrictEqual(warnings(json.stderr), [{
        level: "warn",
        msg: Message,
        flags: ["--token", "--read-token", "--api-key", "--api-secret"],
        variables: ["BATON_HTTP_TOKENS", "BATON_HTTP_READ_TOKENS", "BATON_API_KEY", "BATON_API_SECRET"],
        config_keys: ["token", "read-token", "api-key", "api-secret"]
      }])
      assert.deepStrictEqual(
        console.stderr.split("\n").filter((line) => / WARN /.test(line)).map((line) => line.replace(/^\d\d:\d\d:\d\d\.\d{3}Z /, "")),
        [
          "WARN  secrets given as flags (--token, --api-secret): every local user can read them on the command line (ps, " +
          "/proc/<pid>/cmdline), and Kubernetes shows them in the pod spec; give --token as BATON_HTTP_TOKENS or " +
          ".baton.yaml's token:, --api-secret as BATON_API_SECRET or .baton.yaml's api-secret: instead"
        ]
      )
      for (const output of [json.stdout, json.stderr, console.stdout, console.stderr]) {
        for (const secret of secrets) assert.notInclude(output, secret)
      }
    }).pipe(
      Effect.provide(Sandbox.layer({ snapshot: generatePreset("small"), port: 0 })),
      Effect.provide(NodeContext.layer)
    ), 120_000)

  it.scopedLive("not warned of when the secrets come from their variables or from .baton.yaml", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const { args, env } = yield* sandboxServiceArgs(Token)
      const fromEnv = yield* runServiceOnce([...args, "--log-format", "json"], {
        cwd: yield* fs.makeTempDirectoryScoped(),
        env: { ...env, BATON_HTTP_READ_TOKENS: ReadToken }
      })
      const fileDir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(
        `${fileDir}/.baton.yaml`,
        `api-key: ${env.BATON_API_KEY}\napi-secret: ${env.BATON_API_SECRET}\ntoken: ${Token}\nread-token: ${ReadToken}\n`
      )
      const fromFile = yield* runServiceOnce([...args, "--log-format", "json"], { cwd: fileDir })

      assert.deepStrictEqual([fromEnv.code, fromFile.code], [0, 0], fromEnv.stderr + fromFile.stderr)
      assert.deepStrictEqual([warnings(fromEnv.stderr), warnings(fromFile.stderr)], [[], []])
    }).pipe(
      Effect.provide(Sandbox.layer({ snapshot: generatePreset("small"), port: 0 })),
      Effect.provide(NodeContext.layer)
    ), 120_000)
})
