import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { httpBundle, startApp } from "./support/AppProcess.js"

/**
 * The bundled HTTP service keeps Swagger UI's script and style in `swagger-ui.json` beside its
 * program (scripts/bundle-app.mjs) and reads them when /docs is first asked for: the page it serves
 * must still carry both, whole.
 */

const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "e2e-http-docs-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

describe("the bundled HTTP service's /docs", () => {
  it.scopedLive("serves Swagger UI's script and style from the file beside the program", () =>
    Effect.gen(function*() {
      const assets = JSON.parse(yield* Effect.promise(() => readFile(join(httpBundle, "..", "swagger-ui.json"), "utf8"))) as {
        readonly css: string
        readonly javascript: string
      }
      assert.isAbove(assets.javascript.length, 1_000_000)
      assert.isAbove(assets.css.length, 100_000)
      const dir = yield* tempDir
      const app = yield* startApp(httpBundle, ["--sandbox", "small", "--public-docs", "--port", "0", "--data-dir", dir], {})
      const url = yield* Effect.suspend(() => {
        const found = /listening on (http:\/\/\S+) /.exec(app.stdout())?.[1]
        return found === undefined ? Effect.fail("not listening yet") : Effect.succeed(found)
      }).pipe(Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.upTo("60 seconds"))), Effect.orDie)
      const page = yield* Effect.promise(() => fetch(`${url}/docs`).then(async (r) => ({ status: r.status, body: await r.text() })))
      assert.strictEqual(page.status, 200)
      assert.include(page.body, `<style>${assets.css}</style>`)
      assert.include(page.body, assets.javascript)
      assert.include(page.body, "SwaggerUIBundle({")
    }))
})
