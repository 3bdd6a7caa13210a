import { Effect, Metric, Runtime } from "effect"
import type { Server } from "node:http"
import type { Socket } from "node:net"

/**
 * The bound on connections the service holds open at once (`--max-connections`). Each holds a file
 * descriptor, an idle keep-alive one for up to `--keep-alive-timeout`: without a bound, clients that
 * open connections and leave them (a scanner, a buggy pool) took descriptors until the service's
 * own files, its SQLite copies and its connections to Fivetran failed with EMFILE. Past the bound
 * Node closes a new connection at once, before reading anything from it (its client sees the
 * connection reset): nothing is spent on it, and the connections already open are served as before.
 */

/** Leaves room under the common 1,024 open-file limit for the syncs' files and their connections to Fivetran. */
export const DefaultMaxConnections = 512

export const connectionsRefused = Metric.counter("baton_http_connections_refused_total", {
  description: "Connections closed on arrival because --max-connections were already open",
  incremental: true
})

export const connectionsOpen = Metric.gauge("baton_http_connections_open", {
  description: "Connections the service holds open now, idle keep-alive ones included (at most --max-connections)"
})

/** At most one log line per this long: a flood of refused connections is one line per period, with its count. */
const RefusalLogEveryMillis = 10_000

/**
 * Sets `server`'s bound, counts the connections open, and counts each connection it refuses; the
 * first refusal, then at most one each RefusalLogEveryMillis, is a warning saying how many were
 * refused since the last (the metric counts every one) and from where the latest came.
 */
export const capConnections = (server: Server, maxConnections: number, runtime: Runtime.Runtime<never>): Server => {
  server.maxConnections = maxConnections
  // Every connection passes here: its gauge update runs in place, without a fiber of its own.
  const count = Runtime.runSync(runtime)
  server.on("connection", (socket: Socket) => {
    count(Metric.increment(connectionsOpen))
    socket.once("close", () => count(Metric.incrementBy(connectionsOpen, -1)))
  })
  let unlogged = 0
  let loggedAt = Number.NEGATIVE_INFINITY
  return server.on("drop", (dropped) => {
    unlogged++
    const now = performance.now()
    const logged = now - loggedAt >= RefusalLogEveryMillis
    const refused = unlogged
    if (logged) {
      loggedAt = now
      unlogged = 0
    }
    Runtime.runFork(runtime)(
      Metric.increment(connectionsRefused).pipe(
        Effect.zipRight(
          logged
            ? Effect.logWarning("refused connections: as many as --max-connections allows were open").pipe(
              Effect.annotateLogs({
                refused,
                max_connections: maxConnections,
                remote_address: dropped?.remoteAddress ?? "unknown"
              })
            )
            : Effect.void
        )
      )
    )
  })
}
