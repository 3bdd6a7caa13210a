import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createServer, type Server } from "node:http"
import { assertExit, runCli } from "./support/CliProcess.js"

/**
 * A --base-url that names some other web server (a typo, the dashboard's address, a proxy's login
 * page) answers HTML. Read by its status alone, such an answer said "Fivetran rejected the API key"
 * (401), "the API key lacks ROLES:READ" (403) or "not found (404 NotFound)", sending people to
 * rotate keys; a 200 quoted a JSON parser's complaint. Each now says what answered and what to check.
 */

const page = "<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head><body>Welcome to nginx!</body></html>\n"

/** A web server on loopback that answers every request with `page` and `status`. */
const htmlServer = (status: number) =>
  Effect.acquireRelease(
    Effect.async<Server>((resume) => {
      const server = createServer((_, response) => {
        response.writeHead(status, { "content-type": "text/html", "content-length": Buffer.byteLength(page) })
        response.end(page)
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
  ).pipe(Effect.map((server) => `http://127.0.0.1:${(server.address() as { port: number }).port}`))

const advice = "not Fivetran's JSON: check that the base URL is Fivetran's API (https://api.fivetran.com) " +
  "and that no proxy or gateway answers in its place"

describe("a base URL that is not Fivetran's API", () => {
  for (const status of [200, 401, 403, 404]) {
    it.scopedLive(`an HTML page answered ${status} fails the sync saying so, and writes nothing`, () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-cli-base-url-" })
        const baseUrl = yield* htmlServer(status)
        const result = yield* runCli([
          "--base-url",
          baseUrl,
          "--api-key",
          "key_of_the_test",
          "--api-secret",
          "secret_of_the_test",
          "-f",
          `${dir}/out.c1z`,
          "--summary-file",
          `${dir}/summary.json`,
          "--log-level",
          "warn"
        ])
        assertExit(result, 1)
        assert.strictEqual(
          result.stderr,
          `error: could not list roles: GET /v1/roles: the server at the base URL answered ${status} with an HTML page, ${advice}\n`
        )
        assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
      }).pipe(Effect.provide(NodeContext.layer)))
  }
})
