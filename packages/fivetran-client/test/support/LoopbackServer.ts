import { Effect } from "effect"
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
