import { Effect } from "effect"
import { connect } from "node:net"

/**
 * Writes `raw` on a new connection and returns everything received until the server closes it:
 * for requests no HTTP client sends (no Host, two Host lines, a malformed head).
 */
export const exchange = (port: number, raw: string) =>
  Effect.async<string>((resume) => {
    const socket = connect(port, "127.0.0.1")
    let received = ""
    socket.setEncoding("utf8")
    socket.on("data", (chunk: string) => received += chunk)
    // A reset after the answer is reported by the close that follows it.
    socket.on("error", () => undefined)
    socket.on("close", () => resume(Effect.succeed(received)))
    socket.write(raw)
    return Effect.sync(() => socket.destroy())
  }).pipe(Effect.timeout("30 seconds"))

/** An `X-Request-Id` the service made: a random UUID. */
export const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
