import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { harness, Harness } from "./Harness.js"
import { exchange } from "./RawExchange.js"

/**
 * The Host check (AllowedHosts.ts) of a request whose target is in absolute form
 * (`GET http://host/healthz`, RFC 9112 §3.2.2): the host the request is for is the target's, which
 * a server uses instead of the Host header. The check read the Host header alone: a target naming
 * a foreign host with an allowed Host was answered, and a target naming the service refused for a
 * foreign Host (a proxy's own name).
 */

/** `GET target` with this Host over a raw socket: the status line and the body. */
const send = (port: number, target: string, host: string) =>
  Effect.map(
    exchange(port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`),
    (received) => [received.split("\r\n")[0], received.split("\r\n\r\n")[1]] as const
  )

const misdirected = (named: string, host: string) =>
  JSON.stringify({
    error: "MisdirectedRequest",
    message:
      `${named} names ${
        JSON.stringify(host)
      }, which this service does not answer to (a web page whose name was pointed at this machine could otherwise read it); ` +
      "if clients reach the service by that name, start it with --allowed-hosts (BATON_HTTP_ALLOWED_HOSTS) naming it"
  })

layer(harness(), { excludeTestServices: true, timeout: 60_000 })("an absolute-form target's host", (it) => {
  it.effect("is the one checked, whatever the Host header says", () =>
    Effect.gen(function*() {
      const { baseUrl } = yield* Harness
      const port = Number(new URL(baseUrl).port)
      // A foreign target with an allowed Host: refused, naming the target's host.
      assert.deepStrictEqual(yield* send(port, "http://rebound.example/healthz", `127.0.0.1:${port}`), [
        "HTTP/1.1 421 Misdirected Request",
        misdirected("the request target", "rebound.example")
      ])
      assert.deepStrictEqual(yield* send(port, "http://Rebound.Example:8080/healthz?x=1", "localhost"), [
        "HTTP/1.1 421 Misdirected Request",
        misdirected("the request target", "rebound.example")
      ])
      // An allowed target with a foreign Host: answered.
      assert.deepStrictEqual(yield* send(port, `http://127.0.0.1:${port}/healthz`, "proxy.example"), [
        "HTTP/1.1 200 OK",
        JSON.stringify({ status: "ok" })
      ])
      assert.deepStrictEqual(yield* send(port, "http://localhost/healthz", "proxy.example:3128"), [
        "HTTP/1.1 200 OK",
        JSON.stringify({ status: "ok" })
      ])
      // A user name before the host is no host to check (RFC 9110 §4.2.4): an allowed one there is not taken for the target's.
      assert.deepStrictEqual(yield* send(port, "http://127.0.0.1@rebound.example/healthz", "127.0.0.1"), [
        "HTTP/1.1 400 Bad Request",
        JSON.stringify({
          error: "InvalidRequest",
          message: "the request target's authority is not a host name or address with an optional port"
        })
      ])
      // The Host header is still required and checked in origin form, as before.
      assert.deepStrictEqual(yield* send(port, "/healthz", "rebound.example"), [
        "HTTP/1.1 421 Misdirected Request",
        misdirected("the Host header", "rebound.example")
      ])
      assert.deepStrictEqual(yield* send(port, "/healthz", "127.0.0.1"), ["HTTP/1.1 200 OK", JSON.stringify({ status: "ok" })])
    }))
})
