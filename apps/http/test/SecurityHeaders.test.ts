import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runServiceOnce } from "./ServiceProcess.js"

/**
 * Every answer of the bundled service, whichever route or check gave it, carries nosniff, a rule
 * against framing and, unless the route caches on its own terms (the explorer's files: no-cache),
 * no-store. Before, only the explorer's three files had any: Swagger UI at /docs could be framed by
 * another site, and the answers naming who holds what were kept in a browser's disk cache.
 */

const Token = "token-for-the-security-headers-test"

describe("security headers (the service process)", () => {
  it.scopedLive("each answer, refusals and probes included, carries nosniff, DENY and its caching rule", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-headers-" })
      const seen: Array<readonly [string, number, string | null, string | null, string | null]> = []
      const run = yield* runServiceOnce(["--sandbox", "--port", "0"], { cwd: dir, env: { BATON_HTTP_TOKENS: Token } }, (url) =>
        Effect.forEach(
          [
            ["/", undefined],
            ["/explorer.js", undefined],
            ["/healthz", undefined],
            ["/v1/syncs", undefined],
            ["/v1/syncs", Token],
            ["/docs", Token],
            ["/openapi.json", Token],
            ["/metrics", Token],
            ["/no/such/path", Token],
            ["/v1/syncs?status=failed", Token]
          ] as const,
          ([path, token]) =>
            Effect.promise(async () => {
              const response = await fetch(`${url}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
              await response.arrayBuffer()
              const header = (name: string) =>
                response.headers.get(name)
              seen.push([path, response.status, header("x-content-type-options"), header("x-frame-options"), header("cache-control")])
            }),
          { discard: true }
        ))
      assert.strictEqual(run.code, 0, run.stderr)
      assert.deepStrictEqual(seen, [
        ["/", 200, "nosniff", "DENY", "no-cache"],
        ["/explorer.js", 200, "nosniff", "DENY", "no-cache"],
        ["/healthz", 200, "nosniff", "DENY", "no-store"],
        ["/v1/syncs", 401, "nosniff", "DENY", "no-store"],
        ["/v1/syncs", 200, "nosniff", "DENY", "no-store"],
        ["/docs", 200, "nosniff", "DENY", "no-store"],
        ["/openapi.json", 200, "nosniff", "DENY", "no-store"],
        ["/metrics", 200, "nosniff", "DENY", "no-store"],
        ["/no/such/path", 404, "nosniff", "DENY", "no-store"],
        ["/v1/syncs?status=failed", 400, "nosniff", "DENY", "no-store"]
      ])
    }).pipe(Effect.provide(NodeContext.layer)), 180_000)

  it.scopedLive(
    "another site's page gets no CORS grant, and a token counts only in the Authorization header",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-headers-" })
        const seen: Array<readonly [string, number, ReadonlyArray<string>]> = []
        const run = yield* runServiceOnce(["--sandbox", "--provisioning", "--port", "0"], {
          cwd: dir,
          env: { BATON_HTTP_TOKENS: Token }
        }, (url) =>
          Effect.forEach(
            [
              ["preflight", "/v1/grants", {
                method: "OPTIONS",
                headers: {
                  origin: "https://elsewhere.example",
                  "access-control-request-method": "POST",
                  "access-control-request-headers": "authorization, content-type"
                }
              }],
              ["cross-origin GET", "/v1/syncs", { headers: { origin: "https://elsewhere.example", authorization: `Bearer ${Token}` } }],
              ["query token", `/v1/syncs?access_token=${Token}`, {}],
              ["cookie token", "/v1/syncs", { headers: { cookie: `token=${Token}; authorization=Bearer ${Token}` } }]
            ] as const,
            ([what, path, init]) =>
              Effect.promise(async () => {
                const response = await fetch(`${url}${path}`, init)
                await response.arrayBuffer()
                seen.push([what, response.status, [...response.headers.keys()].filter((name) => name.startsWith("access-control-"))])
              }),
            { discard: true }
          ))
        assert.strictEqual(run.code, 0, run.stderr)
        // The cross-origin GET is answered (a server cannot tell a browser's from curl's), but without
        // Access-Control-Allow-Origin the page that sent it cannot read the answer.
        assert.deepStrictEqual(seen, [
          ["preflight", 401, []],
          ["cross-origin GET", 200, []],
          ["query token", 401, []],
          ["cookie token", 401, []]
        ])
      }).pipe(Effect.provide(NodeContext.layer)),
    180_000
  )
})
