import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Option, Redacted } from "effect"
import { createServer } from "node:net"
import { type EgressProxy, egressProxyConfig, proxyFor } from "../src/index.js"
import { startConnectProxy } from "./support/ConnectProxy.js"
import { json } from "./support/ScriptedServer.js"
import { startServer } from "./support/ScriptedServer.js"
import { clientFor } from "./support/TestClient.js"

const read = (env: ReadonlyArray<readonly [string, string]>) =>
  egressProxyConfig.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(env))))

/** The proxy URL `baseUrl` goes through under `env`, revealed; null for none. */
const through = (env: ReadonlyArray<readonly [string, string]>, baseUrl: string) =>
  Effect.map(read(env), (proxy: EgressProxy) => Option.getOrNull(Option.map(proxyFor(baseUrl, proxy), Redacted.value)))

const team = { id: "bright_otter", name: "Analysts", description: null, role: "Account Reviewer" }

describe("the egress proxy from HTTPS_PROXY, HTTP_PROXY and NO_PROXY", () => {
  it.live("names the variable each proxy was read from, for messages: the lower-case one when only it is set", () =>
    Effect.gen(function*() {
      const variables = (env: ReadonlyArray<readonly [string, string]>) => Effect.map(read(env), (proxy) => proxy.variables)
      assert.deepStrictEqual(yield* variables([["https_proxy", "http://egress.corp:3128"], ["http_proxy", "proxy.corp:8080"]]), {
        http: "http_proxy",
        https: "https_proxy"
      })
      assert.deepStrictEqual(yield* variables([["HTTPS_PROXY", "http://egress.corp:3128"], ["https_proxy", "http://ignored.corp:3128"]]), {
        http: "HTTP_PROXY",
        https: "HTTPS_PROXY"
      })
      assert.deepStrictEqual(yield* variables([["HTTP_PROXY", " "], ["http_proxy", "proxy.corp:8080"]]), {
        http: "http_proxy",
        https: "HTTPS_PROXY"
      })
    }))

  it.live("picks the scheme's proxy, upper case first; loopback and NO_PROXY hosts go direct", () =>
    Effect.gen(function*() {
      const env = [
        ["HTTPS_PROXY", "http://egress.corp:3128"],
        ["https_proxy", "http://ignored.corp:3128"],
        ["http_proxy", "proxy.corp:8080"],
        ["NO_PROXY", "internal.corp, .svc.cluster.local,api.eu.example:8443"]
      ] as const
      const cases: ReadonlyArray<readonly [string, string | null]> = [
        ["https://api.fivetran.com", "http://egress.corp:3128/"],
        ["http://api.fivetran.com", "http://proxy.corp:8080/"],
        ["http://127.0.0.1:8080", null],
        ["http://localhost:8080", null],
        ["http://[::1]:8080", null],
        ["https://internal.corp", null],
        ["https://fivetran.internal.corp", null],
        ["https://mock.svc.cluster.local", null],
        ["https://api.eu.example:8443", null],
        ["https://api.eu.example", "http://egress.corp:3128/"],
        ["https://notinternal.corp", "http://egress.corp:3128/"]
      ]
      for (const [baseUrl, expected] of cases) assert.strictEqual(yield* through(env, baseUrl), expected, baseUrl)
      assert.strictEqual(yield* through([["HTTPS_PROXY", "http://egress.corp:3128"], ["no_proxy", "*"]], "https://api.fivetran.com"), null)
      assert.strictEqual(yield* through([["HTTPS_PROXY", " "]], "https://api.fivetran.com"), null)
      assert.strictEqual(yield* through([], "https://api.fivetran.com"), null)
    }))

  it.live("NO_PROXY takes IP addresses and ranges, and any form of a loopback address goes direct, as in Go", () =>
    Effect.gen(function*() {
      const env = [
        ["HTTP_PROXY", "http://egress.corp:3128"],
        ["NO_PROXY", "10.0.0.0/8, fd00::/8, 192.168.1.7, [fe80::7]:4318, 172.16.0.1:8080, 10.0.0.0/33.corp"]
      ] as const
      const cases: ReadonlyArray<readonly [string, string | null]> = [
        ["http://10.96.0.15:4318", null],
        ["http://[::ffff:10.96.0.15]:4318", null],
        ["http://11.0.0.1:4318", "http://egress.corp:3128/"],
        ["http://[fd12::5]:4318", null],
        ["http://[fe00::5]:4318", "http://egress.corp:3128/"],
        ["http://192.168.1.7", null],
        ["http://192.168.1.8", "http://egress.corp:3128/"],
        ["http://[fe80:0:0::7]:4318", null],
        ["http://[fe80::7]:4319", "http://egress.corp:3128/"],
        ["http://172.16.0.1:8080", null],
        ["http://172.16.0.1:8081", "http://egress.corp:3128/"],
        ["http://[::ffff:127.0.0.1]:4318", null],
        ["http://[0:0:0:0:0:0:0:1]:4318", null],
        ["http://127.1.2.3:4318", null],
        ["http://0.0.0.0:4318", "http://egress.corp:3128/"],
        ["http://collector.corp:4318", "http://egress.corp:3128/"]
      ]
      for (const [baseUrl, expected] of cases) assert.strictEqual(yield* through(env, baseUrl), expected, baseUrl)
    }))

  it.live("a bad proxy URL is refused naming its variable, never quoting it (it may hold a password)", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, string, string]> = [
        [
          "HTTPS_PROXY",
          "socks5://user:PROXYSECRET1@egress:1080",
          "expected an http:// or https:// proxy URL (socks5:// proxies are not supported)"
        ],
        ["http_proxy", "http://user:PROXYSECRET2@", "expected a proxy URL such as http://proxy.example:3128"],
        [
          "HTTPS_PROXY",
          "http://user:PROXY%zzSECRET3@egress:3128",
          "expected a proxy URL whose user name and password are percent-encoded (%XX with two hex digits; % itself as %25)"
        ],
        [
          "HTTP_PROXY",
          "http://us%e9r:PROXYSECRET4@egress:3128",
          "expected a proxy URL whose user name and password are percent-encoded (%XX with two hex digits; % itself as %25)"
        ]
      ]
      for (const [name, value, message] of cases) {
        const error = String(yield* Effect.flip(read([[name, value]])))
        assert.strictEqual(error, `(Invalid data at ${name}: "${message}")`)
      }
    }))
})

describe("a client behind a proxy", () => {
  it.scopedLive("reaches a host only the proxy can reach, through a CONNECT tunnel, with the proxy's credentials", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => json(200, { code: "Success", data: team }))
      const port = Number(new URL(server.baseUrl).port)
      const proxy = yield* startConnectProxy(() => ({ host: "127.0.0.1", port }))
      const proxyUrl = proxy.url.replace("http://", "http://egress-user:p%40ss%20word@")
      // No resolver knows this name: without the proxy the request fails at its DNS look-up.
      const client = yield* clientFor(`http://fivetran.proxy-test:${port}`, { proxy: Redacted.make(proxyUrl) })
      assert.deepStrictEqual(yield* client.getTeam("bright_otter"), team)
      assert.deepStrictEqual(proxy.tunnels, [{
        target: `fivetran.proxy-test:${port}`,
        authorization: `Basic ${Buffer.from("egress-user:p@ss word").toString("base64")}`
      }])
      const [request] = yield* server.requests
      assert.deepStrictEqual([request?.path, request?.headers["host"], request?.headers["proxy-authorization"]], [
        "/v1/teams/bright_otter",
        `fivetran.proxy-test:${port}`,
        undefined
      ])
    }))

  it.scopedLive("a proxy that refuses the tunnel (407) fails the call at once, saying what it wants, its password in no message", () =>
    Effect.gen(function*() {
      const server = yield* startServer(() => json(200, { code: "Success", data: team }))
      const port = Number(new URL(server.baseUrl).port)
      const proxy = yield* startConnectProxy(() => ({ host: "127.0.0.1", port }), () => 407)
      const client = yield* clientFor(`http://fivetran.proxy-test:${port}`, {
        proxy: Redacted.make(proxy.url.replace("http://", "http://egress-user:PROXYSECRET3@")),
        backoffBaseMillis: 0
      })
      const error = yield* Effect.flip(client.getTeam("bright_otter"))
      assert.deepStrictEqual([error._tag, error.message], [
        "Transport",
        "GET /v1/teams/bright_otter: could not reach Fivetran: the proxy (HTTPS_PROXY or HTTP_PROXY) answered 407 to the " +
        "tunnel, so nothing was sent: it wants credentials, or refused the ones in the proxy URL; give (or check) the " +
        "proxy's user and password in its URL (http://user:password@proxy:3128)"
      ])
      assert.notInclude(JSON.stringify(error), "PROXYSECRET3")
      // Not repeated: a 407 answers every attempt the same way.
      assert.strictEqual(proxy.tunnels.length, 1)
      assert.strictEqual((yield* server.requests).length, 0)
    }))

  it.scopedLive("a proxy that cannot be reached is named as what failed, not Fivetran", () =>
    Effect.gen(function*() {
      // A port nothing listens on any more: connecting to it is refused.
      const port = yield* Effect.async<number>((resume) => {
        const probe = createServer().listen(0, "127.0.0.1", () => {
          const { port } = probe.address() as { port: number }
          probe.close(() => resume(Effect.succeed(port)))
        })
      })
      const client = yield* clientFor("http://fivetran.proxy-test:8443", {
        proxy: Redacted.make(`http://egress-user:PROXYSECRET5@127.0.0.1:${port}`),
        backoffBaseMillis: 0
      })
      const error = yield* Effect.flip(client.getTeam("bright_otter"))
      assert.deepStrictEqual([error._tag, error.message], [
        "Transport",
        "GET /v1/teams/bright_otter: could not reach Fivetran: could not connect to the proxy (HTTPS_PROXY or HTTP_PROXY), " +
        `so nothing was sent: connect ECONNREFUSED 127.0.0.1:${port}; gave up after 5 attempts`
      ])
      assert.notInclude(JSON.stringify(error), "PROXYSECRET5")
    }))

  it.scopedLive("a proxy whose host name does not resolve fails at once, named as what failed", () =>
    Effect.gen(function*() {
      // .invalid never resolves (RFC 6761): a mistyped proxy name, which a repeat would only ask again.
      const client = yield* clientFor("http://fivetran.proxy-test:8443", {
        proxy: Redacted.make("http://egress-user:PROXYSECRET5@egress.invalid:3128"),
        backoffBaseMillis: 0
      })
      const error = yield* Effect.flip(client.getTeam("bright_otter"))
      assert.deepStrictEqual([error._tag, error.message], [
        "Transport",
        "GET /v1/teams/bright_otter: could not reach Fivetran: could not connect to the proxy (HTTPS_PROXY or HTTP_PROXY), " +
        "so nothing was sent: getaddrinfo ENOTFOUND egress.invalid"
      ])
      assert.deepInclude(error, { connectFailed: true, unknownHost: true })
      assert.notInclude(JSON.stringify(error), "PROXYSECRET5")
    }))
})
