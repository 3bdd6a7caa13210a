import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { exchange, uuid } from "./RawExchange.js"
import { runServiceOnce } from "./ServiceProcess.js"

/**
 * A caller without a token that sends a request slowly (here a grant, with provisioning on: its body
 * is read before the token is checked) holds a connection only as long as the
 * service's arrival limits (ClientErrors.ts requestArrival: the whole request within
 * --request-arrival-timeout, 20 s by default, the head within 15 s of it), then gets 408
 * RequestTimeout and the connection closes. Before, Node's defaults held a declared body that never
 * came for five minutes (and a head for one), for anyone. The limit was fixed, and its 408 could be
 * seen only after 20 s: --request-arrival-timeout sets it. The handler of a request whose body was
 * cut so is logged and counted 400, as the platform's own read failure is, not 500.
 */

const timedOut = { error: "RequestTimeout", message: "the request was not received in full in time; send it again" }

const statusAndBody = (received: string) => [
  Number(received.slice(9, 12)),
  received.includes("\r\n\r\n") ? JSON.parse(received.slice(received.indexOf("\r\n\r\n") + 4)) : received
]

describe("slow requests (the service process)", () => {
  it.scopedLive("a head that never ends and a body that never comes are each answered 408 and closed", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-slow-" })
      const answers: Array<unknown> = []
      const run = yield* runServiceOnce(["--sandbox", "--provisioning", "--port", "0"], { cwd: dir }, (url) =>
        Effect.gen(function*() {
          const port = Number(new URL(url).port)
          const [head, body] = yield* Effect.all([
            exchange(port, "GET /v1/syncs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "),
            exchange(
              port,
              "POST /v1/grants HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{"
            )
          ], { concurrency: 2 }).pipe(Effect.orDie)
          answers.push(statusAndBody(head), statusAndBody(body))
        }))
      assert.strictEqual(run.code, 0, run.stderr)
      assert.deepStrictEqual(answers, [[408, timedOut], [408, timedOut]])
    }).pipe(Effect.provide(NodeContext.layer)), 180_000)

  it.scopedLive(
    "--request-arrival-timeout sets the limit; each 408 is logged with what was read of its request",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-slow-" })
        const received: Array<string> = []
        const run = yield* runServiceOnce(
          ["--sandbox", "--provisioning", "--port", "0", "--request-arrival-timeout", "1s", "--log-format", "json"],
          { cwd: dir },
          (url) =>
            Effect.gen(function*() {
              const port = Number(new URL(url).port)
              received.push(
                ...yield* Effect.all([
                  exchange(port, "GET /v1/syncs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "),
                  exchange(
                    port,
                    "POST /v1/grants HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{"
                  )
                ], { concurrency: 2 }).pipe(Effect.orDie)
              )
            })
        )
        assert.strictEqual(run.code, 0, run.stderr)
        assert.deepStrictEqual(received.map(statusAndBody), [[408, timedOut], [408, timedOut]])
        const [head, body] = received.map((answer) => /\r\nX-Request-Id: ([^\r]*)\r\n/.exec(answer)?.[1] ?? "")
        for (const requestId of [head!, body!]) assert.match(requestId, uuid)
        const lines = run.stderr.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
          .filter((line) => line["msg"] === "http request" && line["status"] === 408)
          .map(({ msg: _msg, ts: _ts, ...fields }) => fields)
        // A head that never ended was not read as far as its request line's end: its line names no method or path.
        assert.sameDeepMembers(lines, [
          { level: "info", route: "unmatched", status: 408, request_id: head, error: "RequestTimeout" },
          {
            level: "info",
            method: "POST",
            route: "/v1/grants",
            path: "/v1/grants",
            status: 408,
            request_id: body,
            error: "RequestTimeout"
          }
        ])
        // The grant's own handler, reading the body when Node's 408 closed the connection: a 400 at info, as the
        // platform's own read failure is, not a 500 at error, which fired the 5xx alert for a slow upload.
        const handled = run.stderr.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
          .filter((line) => line["msg"] === "http request" && line["status"] !== 408)
          .map((line) => [line["level"], line["method"], line["route"], line["status"], line["error"]])
        assert.deepStrictEqual(handled, [["info", "POST", "/v1/grants", 400, undefined]])
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )

  it.scopedLive("--request-arrival-timeout is refused at start-up with the range it takes", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-slow-" })
      const refused = yield* runServiceOnce(["--sandbox", "--port", "0", "--request-arrival-timeout", "500ms"], { cwd: dir })
      assert.deepStrictEqual([refused.code, refused.stderr, refused.stdout], [
        2,
        "error: --request-arrival-timeout: expected a duration from 1s to 5m, with a unit, such as 5s, 20s or 1m, got \"500ms\"\n",
        ""
      ])
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})
