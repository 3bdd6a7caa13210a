import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { exchange } from "./RawExchange.js"
import { sandboxedServicePort } from "./ServiceProcess.js"

/**
 * A request whose target is in absolute form (`GET http://127.0.0.1/v1/syncs`, RFC 9112 §3.2.2, as
 * a client sends it through a proxy), over a raw socket to the bundled service: the platform's router
 * serves its path, and everything else the service decides from the path reads the same path. Before,
 * such a request was answered but counted as `unmatched`, its undecodable parameter was a 404 "no
 * endpoint", and a disabled provisioning endpoint's body was parsed (400) instead of left unread (403).
 */

const Token = "absolute-form-test-token"

const startService = sandboxedServicePort(Token)

/** The status line and the body of what `raw` was answered. */
const send = (port: number, requestLine: string, body?: string) =>
  Effect.map(
    exchange(
      port,
      `${requestLine} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${Token}\r\n` +
        (body === undefined ? "" : `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`) +
        `Connection: close\r\n\r\n${body ?? ""}`
    ),
    (received) => [received.split("\r\n")[0], received.split("\r\n\r\n")[1]] as const
  )

describe("an absolute-form request target", () => {
  it.scopedLive("is routed, counted, checked and refused by its path, as the same request in origin form", () =>
    Effect.gen(function*() {
      const port = yield* startService
      const origin = `http://127.0.0.1:${port}`
      const listed = yield* send(port, `GET ${origin}/v1/syncs`)
      assert.deepStrictEqual(listed, ["HTTP/1.1 200 OK", JSON.stringify({ items: [] })])
      assert.deepStrictEqual(yield* send(port, `GET ${origin}/v1/principals/user/50%Off/access`), [
        "HTTP/1.1 400 Bad Request",
        JSON.stringify({
          error: "InvalidRequest",
          message: "id: \"50%Off\" is not valid percent-encoding; encode % as %25 (e.g. with encodeURIComponent)",
          field: "id"
        })
      ])
      assert.deepStrictEqual(yield* send(port, `POST ${origin}/v1/grants`, "{x"), [
        "HTTP/1.1 403 Forbidden",
        JSON.stringify({
          error: "ProvisioningDisabled",
          message: "provisioning is disabled; start the service with --provisioning (or BATON_PROVISIONING=true) to enable it"
        })
      ])
      assert.deepStrictEqual(yield* send(port, `GET ${origin}/no/such/path`), [
        "HTTP/1.1 404 Not Found",
        JSON.stringify({ error: "NotFound", message: "no endpoint GET /no/such/path; the endpoints are listed in /openapi.json" })
      ])
      const metrics = yield* Effect.promise(() =>
        fetch(`${origin}/metrics`, { headers: { authorization: `Bearer ${Token}` } }).then((response) => response.text())
      )
      assert.deepStrictEqual(metrics.split("\n").filter((line) => line.startsWith("http_server_requests_total{")), [
        `http_server_requests_total{method="GET",route="/v1/principals/:type/:id/access",status="400"} 1`,
        `http_server_requests_total{method="GET",route="/v1/syncs",status="200"} 1`,
        `http_server_requests_total{method="GET",route="unmatched",status="404"} 1`,
        `http_server_requests_total{method="POST",route="/v1/grants",status="403"} 1`
      ])
    }), 120_000)
})
