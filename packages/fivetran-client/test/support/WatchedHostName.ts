import { Effect } from "effect"
import dns, { type LookupAddress, type LookupOptions } from "node:dns"

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | ReadonlyArray<LookupAddress>, family?: number) => void

/** What getaddrinfo's "no such name" reads as in Node: the error a mistyped host name gives. */
const notFound = (host: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND", errno: -3008, syscall: "getaddrinfo", hostname: host })

/**
 * `host`'s lookups, counted until the scope closes (`net.connect` looks names up through
 * `dns.lookup`, as undici's connections do). `real` leaves the answer to this machine's resolver;
 * `loopback` answers 127.0.0.1 until `stopResolving`, then "no such name", as a resolver that
 * loses a name mid-run does. Other names go to the resolver untouched.
 */
export const watchedHostName = (host: string, answer: "real" | "loopback") =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const original = dns.lookup
      const state = { lookups: 0, resolving: true }
      const watched = (name: string, options: LookupOptions, callback: LookupCallback) => {
        if (name !== host) return original(name, options, callback)
        state.lookups++
        if (answer === "real") return original(name, options, callback)
        if (!state.resolving) return process.nextTick(callback, notFound(host), "")
        return original("127.0.0.1", options, callback)
      }
      dns.lookup = watched as typeof dns.lookup
      return {
        original,
        lookups: () => state.lookups,
        stopResolving: () => {
          state.resolving = false
        }
      }
    }),
    ({ original }) =>
      Effect.sync(() => {
        dns.lookup = original
      })
  )
