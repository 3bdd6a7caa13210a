import { BatonApi, MisdirectedRequest } from "@baton-fivetran/http-api"
import { HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { request } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { harness, Harness, TestToken } from "./Harness.js"
import { runServiceOnce } from "./ServiceProcess.js"
import { exchange, uuid } from "./RawExchange.js"

/**
 * DNS rebinding: a page on an attacker's name pointed at 127.0.0.1 sends that name as Host. The
 * service answers only the Host names it is reached by (loopback, its listen address,
 * --allowed-hosts; any IP address when it listens on every address), and refuses others with 421
 * before any route (the probes and the explorer page need no token).
 */

interface Answer {
  readonly status: number
  readonly requestId: string | undefined
  readonly body: string
}

/** GET `path` on 127.0.0.1:`port` with this Host header (node:http sends it as given). */
const get = (port: number, path: string, host: string, token?: string) =>
  Effect.async<Answer>((resume) => {
    const sent = request({
      host: "127.0.0.1",
      port,
      path,
      agent: false,
      headers: { host, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) }
    }, (response) => {
      let body = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => body += chunk)
      response.on("end", () => {
        const id = response.headers["x-request-id"]
        resume(Effect.succeed({ status: response.statusCode ?? 0, requestId: typeof id === "string" ? id : undefined, body }))
      })
    })
    sent.on("error", (error) => resume(Effect.die(error)))
    sent.end()
  })

const refusedBody = (host: string) =>
  JSON.stringify({
    error: "MisdirectedRequest",
    message:
      `the Host header names ${
        JSON.stringify(host)
      }, which this service does not answer to (a web page whose name was pointed at this machine could otherwise read it); ` +
      "if clients reach the service by that name, start it with --allowed-hosts (BATON_HTTP_ALLOWED_HOSTS) naming it"
  })

const portOf = (baseUrl: string) => Number(new URL(baseUrl).port)

layer(harness(), { excludeTestServices: true, timeout: 120_000 })("Host on a service listening on 127.0.0.1", (it) => {
  it.effect("another name is refused with 421 on every route, the probes and the explorer page first; loopback names pass", () =>
    Effect.gen(function*() {
      const { baseUrl } = yield* Harness
      const port = portOf(baseUrl)
      const refused = yield* Effect.forEach(
        [["/readyz"], ["/healthz"], ["/"], ["/v1/syncs", TestToken], ["/metrics", TestToken]] as const,
        ([path, token]) => get(port, path, `rebound.attacker.example:${port}`, token)
      )
      assert.deepStrictEqual(
        refused.map((answer) => [answer.status, answer.body]),
        Array.from({ length: 5 }, () => [421, refusedBody("rebound.attacker.example")])
      )
      for (const answer of refused) assert.match(answer.requestId ?? "", uuid)
      // An address the service does not listen on is refused too.
      assert.deepStrictEqual((yield* get(port, "/readyz", "10.1.2.3:8080")).status, 421)

      const accepted = yield* Effect.forEach(
        ["localhost", `localhost:${port}`, "LOCALHOST.:1", "127.0.0.1", `127.0.0.1:${port}`, "[::1]", `[::1]:${port}`],
        (host) => Effect.map(get(port, "/healthz", host), (answer) => [host, answer.status, answer.body])
      )
      assert.deepStrictEqual(accepted, [
        ["localhost", 200, `{"status":"ok"}`],
        [`localhost:${port}`, 200, `{"status":"ok"}`],
        ["LOCALHOST.:1", 200, `{"status":"ok"}`],
        ["127.0.0.1", 200, `{"status":"ok"}`],
        [`127.0.0.1:${port}`, 200, `{"status":"ok"}`],
        ["[::1]", 200, `{"status":"ok"}`],
        [`[::1]:${port}`, 200, `{"status":"ok"}`]
      ])
    }))

  it.effect("a long name is quoted cut short; a Host that is no host, or none on HTTP/1.1, is a 400; HTTP/1.0 may omit it", () =>
    Effect.gen(function*() {
      const { baseUrl } = yield* Harness
      const port = portOf(baseUrl)
      const long = yield* get(port, "/readyz", `${"a".repeat(200)}.example`)
      assert.deepStrictEqual([long.status, long.body], [421, refusedBody(`${"a".repeat(128)}…(208 characters)`)])
      const malformed = yield* Effect.forEach(
        ["user@127.0.0.1", "127.0.0.1/x", "127.0.0.1:80:80", `${"a".repeat(300)}`],
        (host) => Effect.map(get(port, "/readyz", host), (answer) => [answer.status, answer.body])
      )
      assert.deepStrictEqual(
        malformed,
        Array.from({ length: 4 }, () => [
          400,
          JSON.stringify({ error: "InvalidRequest", message: "the Host header is not a host name or address with an optional port" })
        ])
      )

      const noHost = yield* exchange(port, "GET /readyz HTTP/1.1\r\nConnection: close\r\n\r\n")
      const body = JSON.stringify({ error: "InvalidRequest", message: "the request has no Host header, which HTTP/1.1 requires" })
      assert.match(noHost, /^HTTP\/1\.1 400 Bad Request\r\n/)
      assert.match(noHost, /\r\nx-request-id: [0-9a-f-]{36}\r\n/)
      assert.isTrue(noHost.endsWith(`\r\n\r\n${body}`), noHost)
      assert.match(yield* exchange(port, "GET /healthz HTTP/1.0\r\n\r\n"), /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n\{"status":"ok"\}$/)
    }))

  it.effect("a request with two Host lines is a 400 whatever each names (Node keeps the first, a proxy may have read the other)", () =>
    Effect.gen(function*() {
      const { baseUrl } = yield* Harness
      const port = portOf(baseUrl)
      const body = JSON.stringify({ error: "InvalidRequest", message: "the request has more than one Host header" })
      for (
        const hosts of [
          ["Host: 127.0.0.1", "Host: 127.0.0.1"],
          ["Host: localhost", "host: rebound.attacker.example"],
          ["HOST: rebound.attacker.example", "Host: localhost"]
        ]
      ) {
        const received = yield* exchange(port, `GET /healthz HTTP/1.1\r\n${hosts.join("\r\n")}\r\nConnection: close\r\n\r\n`)
        assert.match(received, /^HTTP\/1\.1 400 Bad Request\r\n/, hosts.join(", "))
        assert.match(received, /\r\ncontent-type: application\/json\r\n/, received)
        assert.match(received, /\r\nx-request-id: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\r\n/, received)
        assert.isTrue(received.endsWith(`\r\n\r\n${body}`), received)
      }
      // One Host line still passes.
      const one = yield* exchange(port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
      assert.match(one, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n\{"status":"ok"\}$/)
    }))

  it.effect("the typed client decodes the 421 as MisdirectedRequest, as the Api declares it on every endpoint", () =>
    Effect.gen(function*() {
      const { baseUrl } = yield* Harness
      const rebound = yield* HttpApiClient.make(BatonApi, {
        baseUrl,
        transformClient: HttpClient.mapRequest(HttpClientRequest.setHeader("host", "rebound.attacker.example"))
      }).pipe(Effect.provide(NodeHttpClient.layer))
      const message = refusedBody("rebound.attacker.example")
      const expected = new MisdirectedRequest({ message: (JSON.parse(message) as { message: string }).message })
      assert.deepStrictEqual(
        [yield* Effect.flip(rebound.health.healthz()), yield* Effect.flip(rebound.health.readyz())],
        [expected, expected]
      )
    }))
})

/**
 * The bundled service with `args` (and `--port 0`, a directory of its own to run in and keep its
 * data), its settings from `env` only; `whileUp` runs against its port, then it is stopped. Its exit
 * code and stderr.
 */
const runService = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  whileUp: (port: number) => Effect.Effect<void> = () => Effect.void
) =>
  Effect.gen(function*() {
    const dir = yield* Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "baton-http-hosts-"))),
      (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
    )
    return yield* runServiceOnce(
      [...args, "--port", "0", "--data-dir", dir],
      { cwd: dir, env: { BATON_LOG_FORMAT: "json", ...env } },
      (url) => whileUp(Number(new URL(url).port))
    )
  })

const warnings = (stderr: string) =>
  stderr.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line["level"] === "warn").map((line) => line["msg"])

describe("--allowed-hosts (the service process)", () => {
  it.scopedLive(
    "on 0.0.0.0 without it any Host is answered, with one warning at start saying how to restrict",
    () =>
      Effect.gen(function*() {
        const statuses: Array<number> = []
        const run = yield* runService(["--sandbox", "--host", "0.0.0.0"], {}, (port) =>
          Effect.forEach(["rebound.attacker.example", "10.9.8.7:8080"], (host) =>
            Effect.map(get(port, "/healthz", host), (answer) => {
              statuses.push(answer.status)
            }), { discard: true }))
        assert.strictEqual(run.code, 0, run.stderr)
        assert.deepStrictEqual(statuses, [200, 200])
        assert.deepStrictEqual(warnings(run.stderr), [
          "listening on 0.0.0.0 without --allowed-hosts: requests are answered whatever their Host header, so a web page " +
          "whose DNS name is pointed at this service can read what needs no token (/readyz names the Fivetran account); " +
          "set --allowed-hosts (BATON_HTTP_ALLOWED_HOSTS) to the names clients use (loopback names and IP addresses are " +
          "always accepted), or to * to accept any Host and silence this warning"
        ])
      }),
    120_000
  )

  it.scopedLive(
    "on 0.0.0.0 with BATON_HTTP_ALLOWED_HOSTS: its names, loopback names and any IP address (a probe's pod IP) pass, others get 421",
    () =>
      Effect.gen(function*() {
        const answers: Array<readonly [string, number]> = []
        const run = yield* runService(
          ["--sandbox", "--host", "0.0.0.0"],
          { BATON_HTTP_ALLOWED_HOSTS: "baton-http.acme.svc, Baton.Example.COM" },
          (port) =>
            Effect.forEach(
              ["baton-http.acme.svc:8080", "baton.example.com", "localhost", "10.9.8.7:8080", "[fd00::7]:8080", "acme.svc"],
              (host) => Effect.map(get(port, "/healthz", host), (answer) => answers.push([host, answer.status])),
              { discard: true }
            )
        )
        assert.strictEqual(run.code, 0, run.stderr)
        assert.deepStrictEqual(answers, [
          ["baton-http.acme.svc:8080", 200],
          ["baton.example.com", 200],
          ["localhost", 200],
          ["10.9.8.7:8080", 200],
          ["[fd00::7]:8080", 200],
          ["acme.svc", 421]
        ])
        assert.deepStrictEqual(warnings(run.stderr), [])
      }),
    120_000
  )

  it.scopedLive(
    "--allowed-hosts '*' answers any Host; a value with a port or a scheme is refused at start (exit 2)",
    () =>
      Effect.gen(function*() {
        const statuses: Array<number> = []
        const any = yield* runService(["--sandbox", "--allowed-hosts", "*"], {}, (port) =>
          Effect.map(get(port, "/healthz", "rebound.attacker.example"), (answer) => {
            statuses.push(answer.status)
          }))
        assert.strictEqual(any.code, 0, any.stderr)
        assert.deepStrictEqual(statuses, [200])
        const refused = yield* Effect.all([
          runService(["--sandbox", "--allowed-hosts", "baton.example.com:8080"], {}),
          runService(["--sandbox"], { BATON_HTTP_ALLOWED_HOSTS: "localhost,http://baton.example.com" })
        ])
        assert.deepStrictEqual(refused.map((run) => [run.code, run.stderr]), [
          [
            2,
            "error: --allowed-hosts: expected host names or IP addresses without a port or scheme, or *, got \"baton.example.com:8080\"\n"
          ],
          [
            2,
            "error: BATON_HTTP_ALLOWED_HOSTS: expected host names or IP addresses without a port or scheme, or *, got \"http://baton.example.com\"\n"
          ]
        ])
      }),
    120_000
  )
})
