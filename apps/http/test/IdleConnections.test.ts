import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { exchange } from "./RawExchange.js"
import { runServiceOnce, serviceBundle, serviceProcessOver } from "./ServiceProcess.js"
import { answersIn, keptConnection } from "./support/KeptConnection.js"

/**
 * How long the service keeps an idle keep-alive connection (`--keep-alive-timeout`, 65 s by
 * default; IdleConnections.ts), over raw sockets to the bundled service. Before, Node's 5 s (the
 * connection closed 1 s after it) was shorter than any load balancer's idle timeout: a request sent
 * on an idle connection as the service closed it, the service not having read it yet, was reset
 * (ECONNRESET; a proxy answers its client 502). The race is staged here by stopping the service
 * (SIGSTOP) across that close while the request arrives, as a loaded machine's scheduler does.
 */

const healthz = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

/** An answer's status line and Keep-Alive header. */
const statusAndKeepAlive = (answer: string) => {
  const lines = answer.split("\r\n\r\n")[0]!.split("\r\n")
  return [lines[0], lines.find((line) => line.toLowerCase().startsWith("keep-alive:"))?.toLowerCase()] as const
}

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-http-idle-" }))

describe("idle keep-alive connections (the service process)", () => {
  it.scopedLive(
    "a request that arrives as the service would have closed an idle connection (Node's 5 s + 1 s) is answered, not reset",
    () =>
      Effect.gen(function*() {
        const service = yield* serviceProcessOver(yield* tempDir, ["--sandbox", "--port", "0"])
        const connection = yield* keptConnection(Number(new URL(service.url).port))
        yield* connection.ask(healthz, 1)
        // The service stopped from before its old close (6 s after the answer) until after the request arrived.
        yield* Effect.sleep("4500 millis")
        service.child.kill("SIGSTOP")
        yield* Effect.sleep("2 seconds")
        yield* connection.write(healthz)
        yield* Effect.sleep("500 millis")
        service.child.kill("SIGCONT")
        const answers = yield* connection.answered(2)
        // Before, the connection ended here (error ECONNRESET) after the first answer alone.
        assert.deepStrictEqual(answers.map(statusAndKeepAlive), [
          ["HTTP/1.1 200 OK", "keep-alive: timeout=65"],
          ["HTTP/1.1 200 OK", "keep-alive: timeout=65"]
        ])
        assert.strictEqual(yield* service.stop, 0)
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )

  it.scopedLive(
    "--keep-alive-timeout sets how long an idle connection is kept: used again after 2 s with 3s (beyond a 1s head limit), closed by the service with 1s",
    () =>
      Effect.gen(function*() {
        const kept = yield* serviceProcessOver(yield* tempDir, [
          "--sandbox",
          "--port",
          "0",
          "--keep-alive-timeout",
          "3s",
          "--request-arrival-timeout",
          "1s"
        ])
        const connection = yield* keptConnection(Number(new URL(kept.url).port))
        yield* connection.ask(healthz, 1)
        // Idle longer than the head's limit: that limit counts from a request's first byte, not the idle wait.
        yield* Effect.sleep("2 seconds")
        yield* connection.ask(healthz, 2)
        // Then left idle: the service closes it, having sent nothing more.
        const reused = yield* connection.ended
        assert.deepStrictEqual(
          [reused.end, reused.answers.map(statusAndKeepAlive), reused.rest],
          ["closed", [["HTTP/1.1 200 OK", "keep-alive: timeout=3"], ["HTTP/1.1 200 OK", "keep-alive: timeout=3"]], ""]
        )

        const short = yield* serviceProcessOver(yield* tempDir, ["--sandbox", "--port", "0", "--keep-alive-timeout", "1s"])
        // exchange returns once the service has closed the connection (its default, 65 s, would outlast exchange's 30 s).
        const received = yield* exchange(Number(new URL(short.url).port), healthz).pipe(Effect.orDie)
        assert.deepStrictEqual(answersIn(received).map(statusAndKeepAlive), [["HTTP/1.1 200 OK", "keep-alive: timeout=1"]])
        assert.strictEqual(answersIn(received).join(""), received)
        assert.deepStrictEqual([yield* kept.stop, yield* short.stop], [0, 0])
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )

  it.scopedLive(
    "BATON_HTTP_KEEP_ALIVE_TIMEOUT and .baton.yaml's keep-alive-timeout set it too; the default is 65s",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dirs = yield* Effect.all([tempDir, tempDir, tempDir])
        yield* fs.writeFileString(`${dirs[2]}/.baton.yaml`, "keep-alive-timeout: 2m\n")
        const advertised: Array<string | null> = []
        const keepAliveOf = (url: string) =>
          Effect.promise(async () => {
            const response = await fetch(`${url}/healthz`)
            await response.arrayBuffer()
            advertised.push(response.headers.get("keep-alive"))
          })
        const runs = yield* Effect.all([
          runServiceOnce(["--sandbox", "--port", "0"], { cwd: dirs[0] }, keepAliveOf),
          runServiceOnce(["--sandbox", "--port", "0"], { cwd: dirs[1], env: { BATON_HTTP_KEEP_ALIVE_TIMEOUT: "75s" } }, keepAliveOf),
          runServiceOnce(["--sandbox", "--port", "0"], { cwd: dirs[2] }, keepAliveOf)
        ])
        assert.deepStrictEqual(runs.map((run) => run.code), [0, 0, 0], runs.map((run) => run.stderr).join("\n"))
        assert.deepStrictEqual(advertised, ["timeout=65", "timeout=75", "timeout=120"])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive(
    "a value outside 1s to 15m is refused at start-up (exit 2) naming its source, before anything is written",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dirs = yield* Effect.all([tempDir, tempDir, tempDir])
        yield* fs.writeFileString(`${dirs[2]}/.baton.yaml`, "keep-alive-timeout: 65\n")
        const runs = yield* Effect.all([
          runServiceOnce(["--sandbox", "--port", "0", "--keep-alive-timeout", "500ms"], { cwd: dirs[0] }),
          runServiceOnce(["--sandbox", "--port", "0"], { cwd: dirs[1], env: { BATON_HTTP_KEEP_ALIVE_TIMEOUT: "20m" } }),
          runServiceOnce(["--sandbox", "--port", "0"], { cwd: dirs[2] })
        ], { concurrency: "unbounded" })
        const accepts = "expected a duration from 1s to 15m, with a unit, such as 65s, 75s or 620s"
        assert.deepStrictEqual(runs.map((run) => [run.code, run.stderr, run.stdout]), [
          [2, `error: --keep-alive-timeout: ${accepts}, got "500ms"\n`, ""],
          [2, `error: BATON_HTTP_KEEP_ALIVE_TIMEOUT: ${accepts}, got "20m"\n`, ""],
          [2, `error: .baton.yaml: keep-alive-timeout: ${accepts}, got "65"\n`, ""]
        ])
        // No data directory was made for a refused start.
        const listings = yield* Effect.forEach(dirs, (dir) => fs.readDirectory(dir))
        assert.deepStrictEqual(listings, [[], [], [".baton.yaml"]])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it("--help lists it with its range, default, variable and key", () => {
    const help = execFileSync(process.execPath, [serviceBundle, "--help"], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
      encoding: "utf8"
    })
    assert.include(help, "[--keep-alive-timeout duration]")
    assert.include(
      help,
      "Takes a duration from 1s to 15m, with a unit, such as 65s, 75s or 620s. Default: 65s. " +
        "Env: BATON_HTTP_KEEP_ALIVE_TIMEOUT; .baton.yaml key: keep-alive-timeout."
    )
  })
})
