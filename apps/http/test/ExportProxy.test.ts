import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
// The client package's test proxy and connector-core's test collector, shared with their tests.
import { startConnectProxy } from "../../../packages/fivetran-client/test/support/ConnectProxy.js"
import { otlpReceiver } from "../../../packages/connector-core/test/support/OtlpReceiver.js"
import { runServiceOnce } from "./ServiceProcess.js"

/**
 * The service's OTLP exports behind an egress proxy: the bundled service as a process, against its
 * embedded sandbox (on loopback, so direct), exporting to a collector named by a host no resolver
 * knows, which only the proxy (tunnelling every target to the collector) reaches.
 */

const collectorHost = "collector.proxy-test"

describe("OTLP export behind an egress proxy (the service process)", () => {
  it.scopedLive(
    "traces, metrics and logs reach the collector through HTTP_PROXY, its credentials sent to the proxy alone",
    () =>
      Effect.gen(function*() {
        const collector = yield* otlpReceiver(() => 200)
        const port = Number(new URL(collector.url).port)
        const proxy = yield* startConnectProxy(() => ({ host: "127.0.0.1", port }))
        const dir = yield* Effect.acquireRelease(
          Effect.promise(() => mkdtemp(join(tmpdir(), "baton-http-export-proxy-"))),
          (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
        )
        const run = yield* runServiceOnce(["--sandbox", "--port", "0", "--data-dir", dir], {
          cwd: dir,
          env: {
            BATON_LOG_FORMAT: "json",
            OTEL_EXPORTER_OTLP_ENDPOINT: `http://${collectorHost}:${port}`,
            OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
            HTTP_PROXY: proxy.url.replace("http://", "http://egress:PROXYSECRET11@")
          }
        }, (url) => Effect.promise(() => fetch(`${url}/v1/syncs`).then((answer) => answer.arrayBuffer())))
        assert.strictEqual(run.code, 0, run.stderr)
        assert.notInclude(run.stderr, "PROXYSECRET11")
        assert.notInclude(run.stderr, "OpenTelemetry export")
        assert.deepStrictEqual([...new Set(collector.received.map((request) => request.path))].sort(), [
          "/v1/logs",
          "/v1/metrics",
          "/v1/traces"
        ])
        // A request without a token: a server span, and an info log line (the 401).
        assert.include(collector.received.find((request) => request.path === "/v1/traces")?.body, "\"name\":\"GET /v1/syncs\"")
        assert.include(collector.received.find((request) => request.path === "/v1/logs")?.body, "\"stringValue\":\"http request\"")
        assert.deepStrictEqual(
          [...new Set(collector.received.map((request) => `${request.headers["host"]} ${request.headers["proxy-authorization"]}`))],
          [`${collectorHost}:${port} undefined`]
        )
        assert.notInclude(JSON.stringify(collector.received), "PROXYSECRET11")
        assert.deepStrictEqual(
          [...new Set(proxy.tunnels.map((tunnel) => `${tunnel.target} ${tunnel.authorization}`))],
          [`${collectorHost}:${port} Basic ${Buffer.from("egress:PROXYSECRET11").toString("base64")}`]
        )
      }),
    60_000
  )
})
