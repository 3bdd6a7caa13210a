import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { createServer } from "node:http"
import { listenOnLoopback } from "./LoopbackPort.js"
import { serviceProcessOver } from "./ServiceProcess.js"

/**
 * `/readyz` of a service whose base URL answers HTML pages (a captive portal, a proxy's login page,
 * a site at a wrong base URL), through the service process. A 200 page made a fresh service ready,
 * saying "the key worked before" though no request had reached Fivetran; a 401 page read as Fivetran
 * refusing the key, which the service's other answers (a job, a grant) do not claim of it.
 */

const Token = "readiness-html-pages-test-token"

const readyz = (url: string, token?: string) =>
  Effect.promise(() =>
    fetch(`${url}/readyz`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
      .then(async (response) => ({ status: response.status, body: await response.json() as unknown }))
  )

/** A service over a base URL whose every answer is an HTML page with `status`. */
const serviceOverPages = (status: number) =>
  Effect.gen(function*() {
    const pages = createServer((_, response) => {
      response.writeHead(status, { "content-type": "text/html" })
      response.end("<!DOCTYPE html><html><body>Sign in to continue</body></html>")
    })
    const port = yield* listenOnLoopback(pages)
    yield* Effect.addFinalizer(() => Effect.sync(() => pages.close()))
    const fs = yield* FileSystem.FileSystem
    const dataDir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-html-pages-" })
    return yield* serviceProcessOver(
      dataDir,
      ["--base-url", `http://127.0.0.1:${port}`, "--port", "0", "--readiness-timeout", "2s"],
      { env: { BATON_API_KEY: "key_of_the_test", BATON_API_SECRET: "secret_of_the_test", BATON_HTTP_TOKENS: Token } }
    )
  })

/** What a token of the service reads: the page, and what to check. */
const htmlPage = (status: number) => ({
  error: "NotReady",
  message: `GET /v1/account/info: the server at the base URL answered ${status} with an HTML page, not Fivetran's JSON: ` +
    "check that the base URL is Fivetran's API (https://api.fivetran.com) and that no proxy or gateway answers in its place"
})

const failing = {
  error: "NotReady",
  message: "Fivetran is failing or not answering, and no answer from it has shown the configured key to work yet; " +
    "GET /readyz with a token of the service says how"
}

describe("/readyz over a base URL that answers HTML pages", () => {
  it.scopedLive("a 200 page is not Fivetran accepting the key: not ready", () =>
    Effect.gen(function*() {
      const service = yield* serviceOverPages(200)
      assert.deepStrictEqual(yield* readyz(service.url), { status: 503, body: failing })
      assert.deepStrictEqual(yield* readyz(service.url, Token), { status: 503, body: htmlPage(200) })
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)

  it.scopedLive("a 401 page is not Fivetran refusing the key: not ready, as Fivetran failing", () =>
    Effect.gen(function*() {
      const service = yield* serviceOverPages(401)
      assert.deepStrictEqual(yield* readyz(service.url), { status: 503, body: failing })
      assert.deepStrictEqual(yield* readyz(service.url, Token), { status: 503, body: htmlPage(401) })
    }).pipe(Effect.provide(NodeContext.layer)), 60_000)
})
