import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { otlpReceiver } from "../../../packages/connector-core/test/support/OtlpReceiver.js"
import { exportedSpans } from "./ExportedSpans.js"
import { runServiceOnce } from "./ServiceProcess.js"

/**
 * A request's server span, exported by the bundled service, keeps the values of headers that carry
 * no credential and says `<redacted>` for any other. The platform redacted only Authorization,
 * Cookie, Set-Cookie and X-Api-Key: a caller's Proxy-Authorization or X-Auth-Token was exported as sent.
 */

const Token = "token-of-the-span-headers-test"
const ProxyCredentials = "Basic cHJveHk6cHJveHktcGFzc3dvcmQ="
const AuthToken = "x-auth-token-value-0123456789"

describe("a request's span headers (the service process)", () => {
  it.scopedLive(
    "a header not known to be safe is <redacted>; safe ones keep their values; no credential is exported",
    () =>
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "baton-http-span-headers-" })
        const collector = yield* otlpReceiver(() => 200)
        const run = yield* runServiceOnce(["--sandbox", "--port", "0", "--log-format", "json"], {
          cwd: dir,
          env: { BATON_HTTP_TOKENS: Token, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" }
        }, (url) =>
          Effect.promise(() =>
            fetch(`${url}/healthz`, {
              headers: {
                "proxy-authorization": ProxyCredentials,
                "x-auth-token": AuthToken,
                "x-request-id": "span-headers",
                accept: "application/json"
              }
            }).then((answer) => answer.status)
          ).pipe(Effect.tap((status) => assert.strictEqual(status, 200))))
        assert.strictEqual(run.code, 0, run.stderr)
        const bodies = collector.received.filter((request) => request.path === "/v1/traces").map((request) => request.body)
        const [span, ...others] = exportedSpans(bodies).filter((exported) => exported.name === "GET /healthz")
        assert.strictEqual(others.length, 0)
        const headers = Object.fromEntries(Object.entries(span!.attributes).filter(([key]) => key.includes(".header.")))
        assert.deepStrictEqual(
          [
            headers["http.request.header.proxy-authorization"],
            headers["http.request.header.x-auth-token"],
            headers["http.request.header.x-request-id"],
            headers["http.request.header.accept"],
            headers["http.response.header.content-type"],
            headers["http.response.header.x-request-id"]
          ],
          ["<redacted>", "<redacted>", "span-headers", "application/json", "application/json", "span-headers"]
        )
        const exported = collector.received.map((request) => request.body).join("\n")
        assert.notInclude(exported, ProxyCredentials)
        assert.notInclude(exported, AuthToken)
      }).pipe(Effect.provide(NodeContext.layer)),
    180_000
  )
})
