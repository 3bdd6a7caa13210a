import { Command, FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Stream } from "effect"
import { assertExit, cliCommand, runCli } from "./support/CliProcess.js"

/** The first stdout lines of the `sandbox` command, up to its "Stop with Ctrl-C." line. */
const banner = (stdout: Stream.Stream<Uint8Array, unknown>) =>
  stdout.pipe(
    Stream.decodeText(),
    Stream.splitLines,
    Stream.takeUntil((line) => line === "Stop with Ctrl-C."),
    Stream.runCollect,
    Effect.map((lines) => Array.from(lines))
  )

describe("sandbox command", () => {
  it.scopedLive("serves the sandbox on loopback, prints its URL and keys, and the keys sync it; SIGINT stops it", () =>
    Effect.gen(function*() {
      const server = yield* Command.start(cliCommand(["sandbox", "--port", "0", "--preset", "small", "--seed", "7"]))
      const lines = yield* banner(server.stdout)
      const url = Option.fromNullable(lines[0]?.match(/listening on (http:\/\/127\.0\.0\.1:\d+)$/)?.[1])
      assert.isTrue(Option.isSome(url), lines.join("\n"))
      assert.strictEqual(lines[1], "  25 users, 4 groups, 3 teams, 8 connections, 24 roles")
      const systemKey = lines.find((line) => line.startsWith("  system key "))?.match(/--api-key (\S+) --api-secret (\S+)/)
      assert.isDefined(systemKey)

      const dir = yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-" }))
      const sync = yield* runCli([
        "--base-url",
        Option.getOrThrow(url),
        "--api-key",
        systemKey![1]!,
        "--api-secret",
        systemKey![2]!,
        "-f",
        `${dir}/sync.c1z`,
        "--log-format",
        "console"
      ])
      assert.include(sync.stderr, "resources     38 (25 user, 6 role, 4 group, 3 team)")
      assertExit(sync, 0)

      yield* server.kill("SIGINT")
      assert.strictEqual(yield* server.exitCode, 130)
    }).pipe(Effect.provide(NodeContext.layer)))
})
