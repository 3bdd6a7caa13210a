import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Ref } from "effect"
import { createServer } from "node:http"

/** What the server saw of one request. */
export interface SeenRequest {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** Answers the n-th request (0-based); `Effect.never` leaves the client waiting (timeouts). */
export type Script = (request: SeenRequest, index: number) => Effect.Effect<HttpServerResponse.HttpServerResponse>

/** A JSON response with a real status and extra headers. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  Effect.succeed(HttpServerResponse.unsafeJson(body, { status, headers }))

/** A raw text response: for non-JSON and truncated bodies. */
export const text = (status: number, body: string, contentType = "text/plain") =>
  Effect.succeed(HttpServerResponse.text(body, { status, contentType }))

/**
 * A real HTTP server on 127.0.0.1, port 0, answering by script and recording every request.
 * Closed with the scope; open connections are dropped so closing never waits on keep-alive.
 */
export const startServer = (script: Script) =>
  Effect.gen(function*() {
    const seen = yield* Ref.make<ReadonlyArray<SeenRequest>>([])
    const node = createServer()
    const server = yield* NodeHttpServer.make(() => node, { port: 0, host: "127.0.0.1" })
    yield* Effect.addFinalizer(() => Effect.sync(() => node.closeAllConnections()))
    yield* server.serve(
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const url = new URL(request.url, "http://127.0.0.1")
        const body = yield* Effect.orElseSucceed(request.text, () => "")
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries(request.headers)) headers[name] = value
        const record: SeenRequest = {
          method: request.method,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams.entries()),
          headers,
          body
        }
        const index = yield* Ref.modify(seen, (all) => [all.length, [...all, record]])
        return yield* script(record, index)
      })
    )
    const address = server.address
    const port = address._tag === "TcpAddress" ? address.port : 0
    return { baseUrl: `http://127.0.0.1:${port}`, requests: Ref.get(seen), node } as const
  })
