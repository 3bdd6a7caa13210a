import { Sandbox } from "@baton-fivetran/fivetran-sandbox"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { assertExit, assertNoSecret, runCli } from "./support/CliProcess.js"
// The client package's test proxy: one CONNECT proxy for both packages' tests.
import { startConnectProxy } from "../../../packages/fivetran-client/test/support/ConnectProxy.js"
// connector-core's test collector: it keeps each OTLP request's path, headers and body.
import { otlpReceiver } from "../../../packages/connector-core/test/support/OtlpReceiver.js"
import { countsIn } from "./support/ResourceCounts.js"
import { accountRoleCount, connectionFlags, sandboxLayer, smallAccount } from "./support/Sandboxes.js"

const tempDir = Effect.flatMap(FileSystem.FileSystem, (fs) => fs.makeTempDirectoryScoped({ prefix: "baton-cli-" }))

/** A name no resolver knows: only the proxy can reach "Fivetran" there. */
const proxiedHost = "fivetran.proxy-test"

/** A collector's name no resolver knows: only the proxy reaches it, as it reaches one outside the cluster. */
const proxiedCollector = "collector.proxy-test"

/** The sandbox's key, with the base URL left to the test. */
const keyFlags = Effect.map(connectionFlags, ({ key }) => ({ key, flags: ["--api-key", key.key, "--api-secret", key.secret] }))

describe("behind an egress proxy (HTTP_PROXY, HTTPS_PROXY, NO_PROXY)", () => {
  it.scopedLive("a sync reaches the API only through the proxy, with the proxy's credentials, and writes the file", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const port = Number(new URL(sandbox.baseUrl).port)
      const proxy = yield* startConnectProxy(() => ({ host: "127.0.0.1", port }))
      const dir = yield* tempDir
      const { flags, key } = yield* keyFlags
      const file = `${dir}/out.c1z`
      const result = yield* runCli(
        [...flags, "--base-url", `http://${proxiedHost}:${port}`, "-f", file, "--log-level", "debug"],
        { env: { HTTP_PROXY: proxy.url.replace("http://", "http://egress:PROXYSECRET7@"), NO_PROXY: "internal.corp" } }
      )
      assertExit(result, 0)
      assertNoSecret(result, key.secret)
      assert.notInclude(result.stderr, "PROXYSECRET7")
      assert.deepStrictEqual(yield* countsIn(file), {
        user: smallAccount.users.length,
        role: accountRoleCount(smallAccount),
        group: smallAccount.groups.length,
        team: smallAccount.teams.length
      })
      assert.isAbove(proxy.tunnels.length, 0)
      assert.deepStrictEqual(
        [...new Set(proxy.tunnels.map((tunnel) => `${tunnel.target} ${tunnel.authorization}`))],
        [`${proxiedHost}:${port} Basic ${Buffer.from("egress:PROXYSECRET7").toString("base64")}`]
      )
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a proxy URL that is not http(s), or whose password is not percent-encoding, exits 2 before any request, naming the variable and not its password", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox
      const port = Number(new URL(sandbox.baseUrl).port)
      const { flags } = yield* keyFlags
      // With OTLP export on, the exporter reads the proxy too, and refuses it in the same words.
      for (const otlp of [{}, { OTEL_EXPORTER_OTLP_ENDPOINT: "https://collector.example:4318" }]) {
        const result = yield* runCli([...flags, "--base-url", `https://${proxiedHost}:${port}`, "-f", "never.c1z"], {
          env: { HTTPS_PROXY: "socks5://egress:PROXYSECRET8@proxy.corp:1080", ...otlp }
        })
        assertExit(result, 2)
        assert.strictEqual(
          result.stderr,
          "error: bad proxy setting: HTTPS_PROXY: expected an http:// or https:// proxy URL (socks5:// proxies are not supported)\n"
        )
      }
      // A password that is not percent-encoding: undici's decoding of it failed the first request, exit 1.
      const badEncoding = yield* runCli([...flags, "--base-url", `https://${proxiedHost}:${port}`, "-f", "never.c1z"], {
        env: { HTTPS_PROXY: "http://egress:PROXY%zzSECRET9@proxy.corp:3128" }
      })
      assertExit(badEncoding, 2)
      assert.strictEqual(
        badEncoding.stderr,
        "error: bad proxy setting: HTTPS_PROXY: expected a proxy URL whose user name and password are " +
          "percent-encoded (%XX with two hex digits; % itself as %25)\n"
      )
      assert.deepStrictEqual(yield* sandbox.requestLog, [])
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))

  it.scopedLive("a sync's traces, metrics and logs reach a collector through the proxy, its credentials sent to the proxy alone", () =>
    Effect.gen(function*() {
      const collector = yield* otlpReceiver(() => 200)
      const port = Number(new URL(collector.url).port)
      const proxy = yield* startConnectProxy(() => ({ host: "127.0.0.1", port }))
      const dir = yield* tempDir
      const { flags } = yield* connectionFlags
      const result = yield* runCli([...flags, "-f", `${dir}/out.c1z`], {
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://${proxiedCollector}:${port}`,
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
          HTTP_PROXY: proxy.url.replace("http://", "http://egress:PROXYSECRET10@")
        }
      })
      assertExit(result, 0)
      assert.notInclude(result.stderr, "PROXYSECRET10")
      assert.notInclude(result.stderr, "OpenTelemetry export")
      assert.deepStrictEqual(collector.received.map((request) => request.path).sort(), ["/v1/logs", "/v1/metrics", "/v1/traces"])
      assert.include(collector.received.find((request) => request.path === "/v1/traces")?.body, "\"name\":\"sync\"")
      assert.deepStrictEqual(
        [...new Set(collector.received.map((request) => `${request.headers["host"]} ${request.headers["proxy-authorization"]}`))],
        [`${proxiedCollector}:${port} undefined`]
      )
      assert.notInclude(JSON.stringify(collector.received), "PROXYSECRET10")
      // The sandbox is on loopback, so the Fivetran client went direct: the proxy saw the collector alone.
      assert.deepStrictEqual(
        [...new Set(proxy.tunnels.map((tunnel) => `${tunnel.target} ${tunnel.authorization}`))],
        [`${proxiedCollector}:${port} Basic ${Buffer.from("egress:PROXYSECRET10").toString("base64")}`]
      )
    }).pipe(Effect.provide(sandboxLayer()), Effect.provide(NodeContext.layer)))
})
