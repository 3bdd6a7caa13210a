import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runServiceOnce } from "./ServiceProcess.js"

/**
 * A token of --read-token (BATON_HTTP_READ_TOKENS) reads and changes nothing: with provisioning on,
 * the bundled service answers its GETs (queries, /metrics, the documents) and refuses every request
 * that would change something (a grant, a revoke, an invitation, a deletion, a sync started or
 * cancelled) with 403 ReadOnlyToken, before anything is done; a token of --token still does all.
 * Before, every accepted token could provision, the one a Prometheus scraped with included.
 */

const FullToken = "full-token-for-the-read-only-test"
const ReadToken = "read-token-for-the-read-only-test"

const readOnly = (method: string) => ({
  error: "ReadOnlyToken",
  message: `the bearer token is read-only (--read-token): it cannot ${method} this path, which changes something; ` +
    "send a token of --token (BATON_HTTP_TOKENS)"
})

const noEndpoint = (request: string) => ({
  error: "NotFound",
  message: `no endpoint ${request}; the endpoints are listed in /openapi.json`
})

interface Answer {
  readonly status: number
  readonly body: unknown
}

const call = (url: string, method: string, path: string, token: string, body?: unknown) =>
  Effect.promise(async (): Promise<Answer> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const text = await response.text()
    return { status: response.status, body: response.headers.get("content-type")?.startsWith("application/json") ? JSON.parse(text) : text }
  })

describe("read-only tokens (the service process)", () => {
  it.scopedLive(
    "a read-only token is answered on every GET and refused, with 403 ReadOnlyToken, on every write",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-read-only-" })
        const reads: Array<readonly [string, number]> = []
        const writes: Array<readonly [string, Answer]> = []
        const after: Array<readonly [string, number]> = []
        const run = yield* runServiceOnce(
          ["--sandbox", "--port", "0", "--provisioning", "--log-format", "json"],
          { cwd: dir, env: { BATON_HTTP_TOKENS: FullToken, BATON_HTTP_READ_TOKENS: ReadToken } },
          (url) =>
            Effect.gen(function*() {
              for (const path of ["/v1/syncs", "/v1/capabilities", "/v1/schedule", "/metrics", "/openapi.json"]) {
                reads.push([path, (yield* call(url, "GET", path, ReadToken)).status])
              }
              const grant = { entitlement_id: "role:Account Reviewer:assigned", principal: { type: "user", id: "no_such_user" } }
              const account = { email: "someone@example.com", given_name: "Some", family_name: "One" }
              for (
                const [method, path, body] of [
                  ["POST", "/v1/syncs", undefined],
                  // A query parameter no write takes: the token is answered first (before, a 400 said the parameter's name).
                  ["POST", "/v1/syncs?dry_run=1", undefined],
                  ["POST", "/v1/syncs/20261128T171500Z-3f9a/cancel", undefined],
                  ["POST", "/v1/grants", grant],
                  ["DELETE", "/v1/grants/role:Account Reviewer:assigned:user:no_such_user", undefined],
                  ["POST", "/v1/accounts", account],
                  ["DELETE", "/v1/resources/user/no_such_user", undefined],
                  // No such path: it is not there for a read-only token either (before, 403 said it could not write there).
                  ["POST", "/v1/sycns", undefined],
                  ["DELETE", "/v1/no/such/path", undefined]
                ] as const
              ) {
                writes.push([`${method} ${path}`, yield* call(url, method, path, ReadToken, body)])
              }
              // Nothing was started by the refused POST: the full token sees no job, and starts one.
              const listed = yield* call(url, "GET", "/v1/syncs", FullToken)
              after.push(["listed", (listed.body as { items: ReadonlyArray<unknown> }).items.length])
              after.push(["started", (yield* call(url, "POST", "/v1/syncs", FullToken)).status])
              after.push(["no such path, the full token", (yield* call(url, "POST", "/v1/sycns", FullToken)).status])
              after.push(["no such path, a wrong token", (yield* call(url, "POST", "/v1/sycns", "not-a-token-of-this-service")).status])
              after.push(["wrong token", (yield* call(url, "POST", "/v1/syncs", "not-a-token-of-this-service")).status])
              after.push([
                "wrong token, a query",
                (yield* call(url, "DELETE", "/v1/resources/user/u?force", "not-a-token-of-this-service")).status
              ])
            })
        )
        assert.strictEqual(run.code, 0, run.stderr)
        assert.deepStrictEqual(reads, [
          ["/v1/syncs", 200],
          ["/v1/capabilities", 200],
          ["/v1/schedule", 200],
          ["/metrics", 200],
          ["/openapi.json", 200]
        ])
        assert.deepStrictEqual(writes, [
          ["POST /v1/syncs", { status: 403, body: readOnly("POST") }],
          ["POST /v1/syncs?dry_run=1", { status: 403, body: readOnly("POST") }],
          ["POST /v1/syncs/20261128T171500Z-3f9a/cancel", { status: 403, body: readOnly("POST") }],
          ["POST /v1/grants", { status: 403, body: readOnly("POST") }],
          ["DELETE /v1/grants/role:Account Reviewer:assigned:user:no_such_user", { status: 403, body: readOnly("DELETE") }],
          ["POST /v1/accounts", { status: 403, body: readOnly("POST") }],
          ["DELETE /v1/resources/user/no_such_user", { status: 403, body: readOnly("DELETE") }],
          ["POST /v1/sycns", { status: 404, body: noEndpoint("POST /v1/sycns") }],
          ["DELETE /v1/no/such/path", { status: 404, body: noEndpoint("DELETE /v1/no/such/path") }]
        ])
        assert.deepStrictEqual(after, [
          ["listed", 0],
          ["started", 202],
          ["no such path, the full token", 404],
          [
            "no such path, a wrong token",
            401
          ],
          ["wrong token", 401],
          ["wrong token, a query", 401]
        ])
        const lines = run.stderr.split("\n").filter((line) => line.startsWith("{")).map((line) =>
          JSON.parse(line) as Record<string, unknown>
        )
        // No provisioning action was attempted (each leaves an audit line, refused or not); a read-only token is no guess.
        assert.deepStrictEqual(lines.filter((line) => line["msg"] === "provisioning action"), [])
        assert.deepStrictEqual(lines.filter((line) => line["msg"] === "bearer token refused").map((line) => line["failures"]), [1])
        assert.notInclude(run.stderr + run.stdout, ReadToken)
      }).pipe(Effect.provide(NodeContext.layer)),
    180_000
  )

  it.scopedLive(
    "a read-only token that is also a full one is refused at start (exit 2), naming its place, never its value",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-read-only-" })
        const run = yield* runServiceOnce(["--sandbox", "--port", "0"], {
          cwd: dir,
          env: { BATON_HTTP_TOKENS: `${FullToken},${ReadToken}`, BATON_HTTP_READ_TOKENS: `another-read-token-of-this-test,${ReadToken}` }
        })
        assert.strictEqual(run.code, 2, run.stderr)
        assert.strictEqual(
          run.stderr,
          "error: token 2 of 2 of --read-token (or BATON_HTTP_READ_TOKENS) is also a token of --token (or BATON_HTTP_TOKENS), " +
            "which may do everything (provisioning included), so it would not be read-only: remove it from --token (or BATON_HTTP_TOKENS)\n"
        )
        assert.strictEqual(run.stdout, "")
        assert.deepStrictEqual(yield* fs.readDirectory(dir), [])
      }).pipe(Effect.provide(NodeContext.layer)),
    180_000
  )
})
