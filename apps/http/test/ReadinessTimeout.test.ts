import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createServer } from "node:net"
import { runServiceOnce, serviceProcessOver } from "./ServiceProcess.js"
import { serviceOverSilentFivetran } from "./SilentFivetran.js"

/**
 * `/readyz` against a Fivetran that takes the connection and never answers, through the service
 * process. Its check had a fixed 10 s limit, past a kubelet's default probe timeout (1 s) and those
 * most deployments set, and `--request-timeout` could not shorten it. `--readiness-timeout` (5 s by
 * default) bounds it, and the answer names it, with the last attempt's failure when there was one.
 */

const Token = "readiness-timeout-test-token-01"

/** GET /readyz, with the service's token or without (as a kubelet's probe). */
const readyz = (url: string, token?: string) =>
  Effect.promise(() =>
    fetch(`${url}/readyz`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
      .then(async (response) => ({ status: response.status, body: await response.json() as unknown }))
  )

const unanswered = (limit: string) => ({
  status: 503,
  body: { error: "NotReady", message: `Fivetran did not answer within readiness-timeout (${limit})` }
})

/** What a caller without a token is told of a Fivetran that does not answer before the key has worked. */
const notAnswering = {
  status: 503,
  body: {
    error: "NotReady",
    message: "Fivetran is failing or not answering, and no answer from it has shown the configured key to work yet; " +
      "GET /readyz with a token of the service says how"
  }
}

describe("--readiness-timeout (the service process, a Fivetran that never answers)", () => {
  it.scopedLive(
    "ends the check at the set limit, whatever --request-timeout gives each attempt, and names it",
    () =>
      Effect.gen(function*() {
        const { fivetran, service } = yield* serviceOverSilentFivetran(Token, [
          "--readiness-timeout",
          "2s",
          "--request-timeout",
          "1m"
        ])
        assert.deepStrictEqual(yield* readyz(service.url, Token), unanswered("2.0s"))
        // The check's answer serves the probes after it, as any check's does.
        assert.deepStrictEqual(yield* readyz(service.url), notAnswering)
        assert.deepStrictEqual(yield* fivetran.requestLines, ["GET /v1/account/info HTTP/1.1"])
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )

  it.scopedLive(
    "over a Fivetran whose port refuses connections, quotes the last attempt's failure, not a silence",
    () =>
      Effect.gen(function*() {
        // A port nothing listens on any more: each attempt is refused at once, and retried until the limit.
        const port = yield* Effect.async<number>((resume) => {
          const probe = createServer().listen(0, "127.0.0.1", () => {
            const { port } = probe.address() as { port: number }
            probe.close(() => resume(Effect.succeed(port)))
          })
        })
        const fs = yield* FileSystem.FileSystem
        const dataDir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-refused-fivetran-" })
        const service = yield* serviceProcessOver(
          dataDir,
          ["--base-url", `http://127.0.0.1:${port}`, "--port", "0", "--readiness-timeout", "2s"],
          { env: { BATON_API_KEY: "key_of_the_test", BATON_API_SECRET: "secret_of_the_test", BATON_HTTP_TOKENS: Token } }
        )
        assert.deepStrictEqual(yield* readyz(service.url, Token), {
          status: 503,
          body: {
            error: "NotReady",
            message: "no attempt of GET /v1/account/info succeeded within readiness-timeout (2.0s); the last failed: " +
              `could not reach Fivetran: the request failed: connect ECONNREFUSED 127.0.0.1:${port}`
          }
        })
        assert.deepStrictEqual(yield* readyz(service.url), notAnswering)
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )

  it.scopedLive("is 5 s by default, under the request-timeout of 30 s", () =>
    Effect.gen(function*() {
      const { service } = yield* serviceOverSilentFivetran(Token, [])
      assert.deepStrictEqual(yield* readyz(service.url, Token), unanswered("5.0s"))
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)

  it.scopedLive("is refused at start-up with the range it takes", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-readiness-timeout-" })
      const refused = yield* runServiceOnce(["--sandbox", "--port", "0", "--readiness-timeout", "90s"], { cwd: dir })
      assert.deepStrictEqual([refused.code, refused.stderr, refused.stdout], [
        2,
        "error: --readiness-timeout: expected a duration from 1s to 1m, with a unit, such as 2s, 5s or 10s, got \"90s\"\n",
        ""
      ])
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})
