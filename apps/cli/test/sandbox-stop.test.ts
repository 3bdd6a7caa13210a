import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit } from "effect"
import { request } from "node:http"
import { stoppableSandboxCommand } from "./support/SandboxCommand.js"

/**
 * Stopping `baton-fivetran sandbox` waited for the requests in flight: one held by --latency 20000
 * took 19 s to stop, and --latency takes up to ten minutes. Such a request is ended at once now.
 */

describe("sandbox command stopped while a request is held", () => {
  it.scopedLive("SIGINT ends the held request at once (its connection closes) and exits 130 with 'sandbox stopped'", () =>
    Effect.gen(function*() {
      // Ten minutes: a stop that waited for the request would outlast the test's timeout.
      const { banner, stop } = yield* stoppableSandboxCommand(["--latency", "600000"])
      const url = banner[0]!.match(/listening on (http:\/\/127\.0\.0\.1:\d+)$/)![1]!
      const [, key, secret] = banner.find((line) => line.startsWith("  system key "))!.match(/--api-key (\S+) --api-secret (\S+)/)!

      const sent = yield* Deferred.make<void>()
      const ended = yield* Deferred.make<string>()
      yield* Effect.sync(() => {
        const held = request(`${url}/v1/users`, { headers: { authorization: `Basic ${btoa(`${key}:${secret}`)}` } }, (response) => {
          response.resume()
          Deferred.unsafeDone(ended, Exit.succeed(`answered ${response.statusCode}`))
        })
        held.on("error", (error: NodeJS.ErrnoException) => Deferred.unsafeDone(ended, Exit.succeed(`failed ${error.code}`)))
        held.end(() => Deferred.unsafeDone(sent, Exit.void))
      })
      yield* Deferred.await(sent)
      // Time for the server to read the request and start holding it (not a measurement).
      yield* Effect.sleep("500 millis")
      const stopped = yield* stop("SIGINT")

      assert.deepStrictEqual({ ...stopped, request: yield* Deferred.await(ended) }, {
        exitCode: 130,
        afterBanner: [],
        stderr: "sandbox stopped\n",
        request: "failed ECONNRESET"
      })
    }).pipe(Effect.provide(NodeContext.layer)))
})
