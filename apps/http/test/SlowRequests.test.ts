import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { exchange } from "./RawExchange.js"
import { runServiceOnce } from "./ServiceProcess.js"

/**
 * A caller without a token that sends a request slowly (here a grant, with provisioning on: its body
 * is read before the token is checked) holds a connection only as long as the
 * service's arrival limits (ClientErrors.ts RequestArrival: the head within 15 s, the whole request
 * within 20 s), then gets 408 RequestTimeout and the connection closes. Before, Node's defaults
 * held a declared body that never came for five minutes (and a head for one), for anyone.
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
})
