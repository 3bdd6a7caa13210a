import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { listenOnLoopback } from "../../../packages/fivetran-client/test/support/LoopbackServer.js"
import { assertExit, assertNoSecret, runCli } from "./support/CliProcess.js"
import { countsIn } from "./support/ResourceCounts.js"
import { connectionFlags, sandboxLayer } from "./support/Sandboxes.js"

/**
 * A --base-url that names some other web server (a typo, the dashboard's address, a proxy's login
 * page) answers HTML. Read by its status alone, such an answer said "Fivetran rejected the API key"
 * (401), "the API key lacks ROLES:READ" (403) or "not found (404 NotFound)", sending people to
 * rotate keys; a 200 quoted a JSON parser's complaint. Each now says what answered and what to check.
 */

const page = "<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head><body>Welcome to nginx!</body></html>\n"

/** A web server on loopback that answers every request with `answer`; its base URL. */
const loopbackServer = (answer: (request: IncomingMessage, response: ServerResponse) => void) =>
  Effect.map(listenOnLoopback(createServer(answer)), (port) => `http://127.0.0.1:${port}`)

/** A web server on loopback that answers every request with `page` and `status`. */
const htmlServer = (status: number) =>
  loopbackServer((_, response) => {
    response.writeHead(status, { "content-type": "text/html", "content-length": Buffer.byteLength(page) })
    response.end(page)
  })

const advice = "not Fivetran's JSON: check that the base URL is Fivetran's API (https://api.fivetran.com) " +
  "and that no proxy or gateway answers in its place"

/** A scratch folder of the test's own, to show that a refused sync wrote nothing. */
const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-base-url-" }))

/** The CLI's arguments for a sync of `baseUrl` with made-up credentials into `dir`/out.c1z, then `rest`. */
const syncArgs = (baseUrl: string, dir: string, ...rest: ReadonlyArray<string>) => [
  "--base-url",
  baseUrl,
  "--api-key",
  "key_of_the_test",
  "--api-secret",
  "secret_of_the_test",
  "-f",
  `${dir}/out.c1z`,
  ...rest
]

describe("a base URL that is not Fivetran's API", () => {
  for (const status of [200, 401, 403, 404]) {
    it.scopedLive(`an HTML page answered ${status} fails the sync saying so, and writes nothing`, () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const baseUrl = yield* htmlServer(status)
        const result = yield* runCli(syncArgs(baseUrl, dir, "--summary-file", `${dir}/summary.json`, "--log-level", "warn"))
        assertExit(result, 1)
        assert.strictEqual(
          result.stderr,
          `error: could not list roles: GET /v1/roles: the server at the base URL answered ${status} with an HTML page, ${advice}\n`
        )
        assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
      }).pipe(Effect.provide(NodeContext.layer)))
  }
})

/**
 * A base URL written as a first-time user writes it: copied from Fivetran's documents with `/v1`
 * (which sent GET /v1/v1/roles, a 404), without its scheme, with `https://` for a server that speaks
 * plain HTTP (OpenSSL's "ssl3_get_record:wrong version number", after five attempts), or with
 * credentials or a query in it. Each now syncs, or says what is wrong and what to write, before any
 * file is touched; credentials and queries are never shown.
 */
describe("a base URL as people write it", () => {
  it.scopedLive("ending in /v1 (or /v1/), as Fivetran's documents write it, syncs the account", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const sandbox = yield* Sandbox
      const { key } = yield* connectionFlags
      const runs = yield* Effect.forEach(["/v1", "/v1/"], (suffix, i) =>
        runCli([
          "--base-url",
          `${sandbox.baseUrl}${suffix}`,
          "--api-key",
          key.key,
          "--api-secret",
          key.secret,
          "-f",
          `${dir}/${i}.c1z`,
          "--log-level",
          "warn"
        ]))
      for (const run of runs) {
        assertExit(run, 0)
        assertNoSecret(run, key.secret)
      }
      const counts = { user: 25, role: 6, group: 4, team: 3 }
      assert.deepStrictEqual([yield* countsIn(`${dir}/0.c1z`), yield* countsIn(`${dir}/1.c1z`)], [counts, counts])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)), 60_000)

  it.scopedLive(
    "https:// at the plain-HTTP sandbox fails at once saying to write http://, and writes nothing",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const sandbox = yield* Sandbox
        const { flags, key } = yield* connectionFlags
        const result = yield* runCli([
          ...flags.slice(2),
          "--base-url",
          sandbox.baseUrl.replace("http:", "https:"),
          "-f",
          `${dir}/out.c1z`,
          "--log-level",
          "warn"
        ])
        assertExit(result, 1)
        // No retry: no "waiting ... before retrying" warn line, one line in all.
        assert.strictEqual(
          result.stderr,
          "error: could not list roles: GET /v1/roles: could not reach Fivetran: the server at the base URL answered the " +
            "TLS handshake with something that is not TLS (ERR_SSL_WRONG_VERSION_NUMBER), so nothing was sent: the base " +
            "URL is https:, and this server seems to speak plain HTTP; if it does (a sandbox on this machine), write " +
            "http:// in the base URL\n"
        )
        assertNoSecret(result, key.secret)
        assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
      }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)),
    60_000
  )

  it.scopedLive(
    "http:// answered with a redirect to https:// names the base URL to write, and writes nothing",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        // What http://api.fivetran.com answers: the same path and query on https.
        const baseUrl = yield* loopbackServer((request, response) => {
          response.writeHead(301, { location: `https://api.fivetran.com${request.url}` })
          response.end()
        })
        const result = yield* runCli(syncArgs(baseUrl, dir, "--log-level", "warn"))
        assertExit(result, 1)
        assert.strictEqual(
          result.stderr,
          "error: could not list roles: GET /v1/roles: the server at the base URL answered 301, a redirect to " +
            "https://api.fivetran.com/v1/roles?limit=1000; the client does not follow redirects (the API key would go " +
            "along): set the base URL to the API's own address (the redirect keeps the request's path under " +
            "https://api.fivetran.com: if that is Fivetran's API, use it)\n"
        )
        assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )

  it.scopedLive(
    "without a scheme, or with credentials or a query in it, is refused (exit 2) before anything is written",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* tempDir
        const runs = yield* Effect.forEach(
          [
            "api.fivetran.com",
            "localhost:8080",
            "https://proxy-user:pr0xy-pass@api.fivetran.com",
            "https://gw.example/?k=q4ery-key",
            // Refused for another reason first: before, quoted whole, the password or key with it.
            "ftp://proxy-user:pr0xy-pass@127.0.0.1:1",
            "proxy-user:pr0xy-pass@api.fivetran.com",
            "http://proxy-user:pr0xy-pass@localhost:99999",
            "api.fivetran.com/v1?api_key=q4ery-key"
          ],
          (baseUrl) => runCli(syncArgs(baseUrl, dir)),
          { concurrency: 2 }
        )
        const expected = "expected an http(s) URL such as https://api.fivetran.com"
        const notShown = "(a user, password or query in it not shown)"
        assert.deepStrictEqual(runs.map((run) => [run.exitCode, run.stderr, run.stdout]), [
          [2, `error: --base-url: ${expected}, got "api.fivetran.com" (no scheme: write https://api.fivetran.com)\n`, ""],
          [2, `error: --base-url: ${expected}, got "localhost:8080" (no scheme: write https://localhost:8080)\n`, ""],
          [
            2,
            `error: --base-url: ${expected}, without a user or password in it (not shown): the API key and secret are ` +
            "their own settings\n",
            ""
          ],
          [2, `error: --base-url: ${expected}, without a query or fragment (not shown): requests go to paths under it\n`, ""],
          [2, `error: --base-url: ${expected}, got "ftp://…@127.0.0.1:1" ${notShown}\n`, ""],
          [2, `error: --base-url: ${expected}, got "…@api.fivetran.com" (no scheme: write https://api.fivetran.com) ${notShown}\n`, ""],
          [2, `error: --base-url: ${expected}, got "http://…@localhost:99999" ${notShown}\n`, ""],
          [
            2,
            `error: --base-url: ${expected}, got "api.fivetran.com/v1?…" (no scheme: write https://api.fivetran.com/v1) ${notShown}\n`,
            ""
          ]
        ])
        for (const run of runs) for (const secret of ["pr0xy-pass", "q4ery-key", "secret_of_the_test"]) assertNoSecret(run, secret)
        assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )
})
