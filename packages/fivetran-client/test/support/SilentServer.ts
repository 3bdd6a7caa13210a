import { Effect } from "effect"
import { createServer, type Socket } from "node:net"

/**
 * A server on loopback that accepts every connection and never answers: its base URL, and the
 * request lines it was sent (one per attempt), in order.
 */
export const silentServer = Effect.gen(function*() {
  const requestLines: Array<string> = []
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    socket.on("error", () => undefined)
    socket.on("data", (chunk: Buffer) => {
      const line = chunk.toString("latin1").split("\r\n")[0]!
      if (/^[A-Z]+ \/\S* HTTP\/1\.1$/.test(line)) requestLines.push(line)
    })
  })
  yield* Effect.acquireRelease(
    Effect.async<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
    () =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  )
  const { port } = server.address() as { readonly port: number }
  return { baseUrl: `http://127.0.0.1:${port}`, requestLines: Effect.sync(() => [...requestLines]) }
})
