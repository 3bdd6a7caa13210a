import { Effect } from "effect"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/** What the tests' raw node:http and node:https servers have in common here. */
interface NodeServer {
  listen(port: number, host: string, listening: () => void): unknown
  address(): unknown
  closeAllConnections(): void
  close(): unknown
}

/**
 * Listens on a free loopback port for the scope's lifetime; its port. Open connections are
 * dropped at the end, so closing never waits on keep-alive.
 */
export const listenOnLoopback = (node: NodeServer) =>
  Effect.acquireRelease(
    Effect.promise(() => new Promise<void>((resolve) => node.listen(0, "127.0.0.1", resolve))),
    () =>
      Effect.sync(() => {
        node.closeAllConnections()
        node.close()
      })
  ).pipe(Effect.map(() => (node.address() as AddressInfo).port))

/** How a scripted server answers one request. */
export type Answer = (response: ServerResponse) => void

/**
 * A node:http server on 127.0.0.1 giving the n-th request the n-th answer (the last one for the
 * rest), each once its body has been read; its URL and how many requests it has had.
 */
export const scriptedServer = (answers: ReadonlyArray<Answer>) =>
  Effect.gen(function*() {
    let requests = 0
    const node = createServer((request, response) => {
      const answer = answers[Math.min(requests++, answers.length - 1)]!
      request.resume()
      request.on("end", () => answer(response))
    })
    const port = yield* listenOnLoopback(node)
    return { baseUrl: `http://127.0.0.1:${port}`, requests: Effect.sync(() => requests) } as const
  })
