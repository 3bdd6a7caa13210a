import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { request as httpRequest } from "node:http"
import { harness, Harness } from "./Harness.js"

/**
 * The OpenAPI document and Swagger UI are built on the first request for either (ExtraRoutes.ts):
 * requests that arrive together, after a first one whose client hung up, all get the one document.
 */

/** Sends GET `path` and closes the connection as soon as the request is written. */
const hangUp = (baseUrl: string, path: string) =>
  Effect.async<void>((resume) => {
    const outgoing = httpRequest(`${baseUrl}${path}`, { method: "GET" })
    outgoing.on("error", () => resume(Effect.void))
    outgoing.on("close", () => resume(Effect.void))
    outgoing.end(() => outgoing.destroy())
  })

layer(harness({ publicDocs: true }), { excludeTestServices: true })("documents built on demand", (it) => {
  it.effect("after a first request whose client hung up, concurrent requests all get the same document", () =>
    Effect.gen(function*() {
      const { baseUrl, request } = yield* Harness
      yield* hangUp(baseUrl, "/docs")
      const paths = ["/openapi.json", "/docs", "/openapi.json", "/docs", "/openapi.json", "/docs"]
      const answers = yield* Effect.forEach(
        paths,
        (path) =>
          Effect.flatMap(request("GET", path), (response) =>
            Effect.map(Effect.orDie(response.text), (body) => ({ path, status: response.status, body }))),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(
        answers.map(({ path, status }) =>
          `${status} ${path}`
        ),
        paths.map((path) => `200 ${path}`)
      )
      const bodies = (path: string) => new Set(answers.filter((answer) => answer.path === path).map((answer) => answer.body))
      assert.strictEqual(bodies("/openapi.json").size, 1)
      assert.strictEqual(bodies("/docs").size, 1)
      const [document] = bodies("/openapi.json")
      assert.strictEqual((JSON.parse(document!) as { info: { title: string } }).info.title, "baton-fivetran")
      const [page] = bodies("/docs")
      assert.include(page!, JSON.stringify("baton-fivetran").slice(1, -1))
      assert.include(page!, "SwaggerUIBundle")
    }))
})
