import { Effect } from "effect"
import { createServer, type Socket } from "node:net"
import type { AddressInfo } from "node:net"

/**
 * A collector that accepts connections on 127.0.0.1:0 and never answers: it notes the request line's
 * path of each connection (an exporter opens a new one for each retry, as the one before was
 * abandoned) and holds every socket until the scope closes.
 */
export const makeSilentCollector = Effect.gen(function*() {
  const paths: Array<string> = []
  const sockets = new Set<Socket>()
  const server = yield* Effect.acquireRelease(
    Effect.async<ReturnType<typeof createServer>>((resume) => {
      const server = createServer((socket) => {
        sockets.add(socket)
        socket.on("error", () => undefined)
        socket.once("close", () => sockets.delete(socket))
        socket.once("data", (data) => paths.push(data.toString("latin1").split(" ")[1] ?? ""))
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  )
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** How many requests reached it for this path. */
    requests: (path: string) => paths.filter((p) => p === path).length
  }
})
