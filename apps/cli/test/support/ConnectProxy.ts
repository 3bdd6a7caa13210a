import { Effect } from "effect"
import { createServer } from "node:http"
import { type AddressInfo, connect } from "node:net"

/** A CONNECT request the proxy got: the target it named and its Proxy-Authorization header. */
export interface Tunnel {
  readonly target: string
  readonly authorization: string | undefined
}

/**
 * A real forward proxy on a loopback port for the scope's lifetime, as a network without direct
 * egress has: it answers CONNECT by opening a tunnel to `route(target)` (a `host:port` it can reach),
 * or with `refuse`'s status when that gives one, and records each CONNECT.
 */
export const startConnectProxy = (
  route: (target: string) => { readonly host: string; readonly port: number },
  refuse: (tunnel: Tunnel) => number | undefined = () => undefined
) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly tunnels: ReadonlyArray<Tunnel>; readonly close: () => void }>((resume) => {
      const tunnels: Array<Tunnel> = []
      const server = createServer((_, response) => response.writeHead(405).end())
      server.on("connect", (request, socket, head) => {
        const tunnel = { target: request.url ?? "", authorization: request.headers["proxy-authorization"] }
        tunnels.push(tunnel)
        const status = refuse(tunnel)
        if (status !== undefined) {
          socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Length: 0\r\n\r\n`)
          return
        }
        const { host, port } = route(tunnel.target)
        const upstream = connect(port, host, () => {
          socket.write("HTTP/1.1 200 Connection Established\r\n\r\n")
          upstream.write(head)
          upstream.pipe(socket)
          socket.pipe(upstream)
        })
        upstream.on("error", () => socket.destroy())
        socket.on("error", () => upstream.destroy())
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, tunnels, close: () => server.closeAllConnections() }))
      })
      return Effect.sync(() => server.close())
    }),
    ({ close }) => Effect.sync(close)
  )
