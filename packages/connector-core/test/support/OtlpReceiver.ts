import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect } from "effect"

/** One request the receiver got: its path, headers (names in lower case) and body. */
export interface Received {
  readonly path: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: string
  readonly status: number
}

/**
 * A real OTLP/HTTP receiver on a loopback port for the scope's lifetime: `answer` gives the status
 * of each request from its path and how many to that path came before it, sent with `headers`.
 */
export const otlpReceiver = (
  answer: (path: string, before: number) => number,
  headers: Readonly<Record<string, string>> = {}
) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly received: ReadonlyArray<Received>; readonly server: Server }>((resume) => {
      const received: Array<Received> = []
      const server = createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          const path = request.url ?? ""
          const status = answer(path, received.filter((earlier) => earlier.path === path).length)
          received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString("utf8"), status })
          response.writeHead(status, { ...headers, "content-type": "application/json" }).end("{}")
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, received, server }))
      })
    }),
    ({ server }) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
  )
