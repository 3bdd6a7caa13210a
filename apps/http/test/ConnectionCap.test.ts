import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { runServiceOnce, serviceProcessOver } from "./ServiceProcess.js"
import { keptConnection } from "./support/KeptConnection.js"

/**
 * `--max-connections` (512 by default; ConnectionCap.ts), over raw sockets to the bundled service:
 * past the cap a new connection is closed as it arrives, unanswered, while those open go on being
 * served; each refusal counts in `baton_http_connections_refused_total`, the open ones in
 * `baton_http_connections_open`, and the first refusal is a warning naming the cap (then at most
 * one each 10 s, with how many since: the three here come well within one). Before, the
 * service took every connection it was offered, each holding a file descriptor.
 */

const healthz = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
const metrics = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

/** A series' value in a /metrics answer. */
const seriesValue = (answer: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(answer)?.[1])

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-http-connections-" }))

describe("--max-connections (the service process)", () => {
  it.scopedLive(
    "at 2, further connections are closed unanswered, each counted, the first logged; the two open are served, and a place freed is taken again",
    () =>
      Effect.gen(function*() {
        const service = yield* serviceProcessOver(yield* tempDir, [
          "--sandbox",
          "--port",
          "0",
          "--public-metrics",
          "--max-connections",
          "2"
        ])
        const port = Number(new URL(service.url).port)
        const first = yield* keptConnection(port)
        const second = yield* keptConnection(port)
        const status = (answers: ReadonlyArray<string>) => answers.map((answer) => answer.split("\r\n")[0])
        assert.deepStrictEqual(
          [status(yield* first.ask(healthz, 1)), status(yield* second.ask(healthz, 1))],
          [["HTTP/1.1 200 OK"], ["HTTP/1.1 200 OK"]]
        )

        // Three more, one after another: each closed unanswered, each counted, the warning not repeated.
        const refused = yield* Effect.forEach([1, 2, 3], () =>
          Effect.gen(function*() {
            const another = yield* keptConnection(port)
            yield* another.write(healthz)
            const ended = yield* another.ended
            return [ended.answers, ended.rest]
          }))
        assert.deepStrictEqual(refused, [[[], ""], [[], ""], [[], ""]])

        // The two open are served as before; the refusal is counted, and both connections are open.
        const counted = yield* first.ask(metrics, 2)
        assert.deepStrictEqual(
          [
            status(counted),
            seriesValue(counted[1]!, "baton_http_connections_refused_total"),
            seriesValue(counted[1]!, "baton_http_connections_open")
          ],
          [["HTTP/1.1 200 OK", "HTTP/1.1 200 OK"], 3, 2]
        )
        assert.deepStrictEqual(status(yield* second.ask(healthz, 2)), ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK"])

        // The second closed: once the service has closed its side, a new connection is served.
        second.socket.end()
        let asked = 2
        yield* Effect.suspend(() => {
          asked++
          return first.ask(metrics, asked)
        }).pipe(
          Effect.repeat({
            until: (answers) => seriesValue(answers.at(-1)!, "baton_http_connections_open") === 1,
            schedule: Schedule.spaced("50 millis")
          }),
          Effect.timeout("30 seconds"),
          Effect.orDie
        )
        const fourth = yield* keptConnection(port)
        assert.deepStrictEqual(status(yield* fourth.ask(healthz, 1)), ["HTTP/1.1 200 OK"])

        const warnings = (yield* service.stderr).split("\n").filter((line) => line.includes("refused connections"))
        assert.strictEqual(warnings.length, 1, warnings.join("\n"))
        const warning = JSON.parse(warnings[0]!) as Record<string, unknown>
        assert.deepStrictEqual(
          [warning["level"], warning["msg"], warning["refused"], warning["max_connections"], warning["remote_address"]],
          ["warn", "refused connections: as many as --max-connections allows were open", 1, 2, "127.0.0.1"]
        )
        assert.strictEqual(yield* service.stop, 0)
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scopedLive("a value that is not a whole number from 1 to 100000 is refused at start, naming it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const runs = yield* Effect.all(
        ["0", "100001", "1.5", "many"].map((value) =>
          runServiceOnce(["--sandbox", "--port", "0", "--max-connections", value], { cwd: dir })
        ),
        { concurrency: 2 }
      )
      assert.deepStrictEqual(
        runs.map((run) => [run.code, run.stdout, run.stderr]),
        ["0", "100001", "1.5", "many"].map((value) => [
          2,
          "",
          `error: --max-connections: expected a whole number from 1 to 100000, got "${value}"\n`
        ])
      )
    }).pipe(Effect.provide(NodeContext.layer)), 120_000)
})
