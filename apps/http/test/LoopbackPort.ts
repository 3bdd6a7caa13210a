import { Effect } from "effect"
import type { Server } from "node:http"

/** Starts `server` listening on a free loopback port; its port. The caller closes it (the tests here watch that close). */
export const listenOnLoopback = (server: Server) =>
  Effect.async<number>((resume) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
    })
  })
