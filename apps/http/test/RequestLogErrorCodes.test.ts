import { generatePreset, Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { sandboxServiceArgs, serviceProcessOver } from "./ServiceProcess.js"

/**
 * The bundled service's `http request` line of an error answer names the answer's code as `error`,
 * as the line of a request Node refused does: a log query tells a 404 `NotFound` from a 404
 * `UnknownPrincipal`, a 429 `RateLimited` from a 429 `TooManyExports`. The code only: the message,
 * which may quote what the caller sent, stays out.
 */

const Token = "request-log-error-codes-token"

describe("the http request line of an error answer", () => {
  it.scopedLive("carries the answer's error code, and a success none", () =>
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const launch = yield* sandboxServiceArgs(Token)
      const service = yield* serviceProcessOver(yield* fs.makeTempDirectoryScoped(), launch.args, { env: launch.env })
      const send = (requestId: string, method: string, path: string, token: string, body?: unknown) =>
        Effect.promise(() =>
          fetch(`${service.url}${path}`, {
            method,
            headers: { authorization: `Bearer ${token}`, "x-request-id": requestId },
            ...(body === undefined ? {} : { body: JSON.stringify(body) })
          }).then((response) => response.status)
        )
      const statuses = [
        yield* send("listing", "GET", "/v1/syncs", Token),
        yield* send("unknown-job", "GET", "/v1/syncs/no-such-job", Token),
        yield* send("bad-principal", "GET", "/v1/grants?principal=ada@example.com", Token),
        yield* send("bad-token", "GET", "/v1/syncs", "not-a-token-of-this-service"),
        yield* send("grant", "POST", "/v1/grants", Token, { entitlement_id: "team:t:member", principal: { type: "user", id: "u" } })
      ]
      assert.deepStrictEqual(statuses, [200, 404, 400, 401, 403])
      assert.strictEqual(yield* service.stop, 0)

      const requestLines = (yield* service.stderr).split("\n")
        .filter((line) => line.includes(`"msg":"http request"`))
        .map((line) => {
          const { duration_ms: _duration, ts: _ts, caller: _caller, ...fields } = JSON.parse(line) as Record<string, unknown>
          return fields
        })
      assert.deepStrictEqual(requestLines, [
        { level: "info", msg: "http request", request_id: "listing", method: "GET", route: "/v1/syncs", status: 200 },
        {
          level: "info",
          msg: "http request",
          request_id: "unknown-job",
          method: "GET",
          route: "/v1/syncs/:id",
          status: 404,
          error: "NotFound"
        },
        {
          level: "info",
          msg: "http request",
          request_id: "bad-principal",
          method: "GET",
          route: "/v1/grants",
          status: 400,
          error: "InvalidRequest"
        },
        {
          level: "info",
          msg: "http request",
          request_id: "bad-token",
          method: "GET",
          route: "/v1/syncs",
          status: 401,
          error: "Unauthorized"
        },
        {
          level: "info",
          msg: "http request",
          request_id: "grant",
          method: "POST",
          route: "/v1/grants",
          status: 403,
          error: "ProvisioningDisabled"
        }
      ])
      // The message quoted the caller's value; the line does not.
      assert.notInclude(yield* service.stderr, "ada@example.com")
    }).pipe(
      Effect.provide(Sandbox.layer({ snapshot: generatePreset("small"), port: 0 })),
      Effect.provide(NodeContext.layer)
    ), 60_000)
})
