import { urlHost } from "@baton-fivetran/fivetran-client"
import { HttpMiddleware, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Context, Effect, Layer } from "effect"
import { createServer, type Server } from "node:http"
import { makeEndpoints } from "./http/Endpoints.js"
import { FaultInjector, type FaultOptions } from "./http/Faults.js"
import type { RequestHook } from "./http/RequestHook.js"
import { RequestLog, type RequestLogEntry } from "./http/RequestLog.js"
import { HOUR_MILLIS, RollingWindow } from "./http/RollingWindow.js"
import { makeSandboxApp } from "./http/SandboxApp.js"
import { wildcardLoopback } from "./ListenAddress.js"
import { DEFAULT_HOURLY_LIMIT, DEFAULT_INVITES_HOURLY_LIMIT, DEFAULT_RATE_WINDOW_SECONDS } from "./RateLimitDefaults.js"
import type { AccountSnapshot } from "./state/AccountSnapshot.js"
import { AccountState, type EmailInUseStatus } from "./state/AccountState.js"

export interface SandboxOptions {
  readonly snapshot: AccountSnapshot
  /** 0 (the default) picks a free port. */
  readonly port?: number
  /** Defaults to 127.0.0.1: the sandbox listens on loopback only unless told otherwise. */
  readonly host?: string
  readonly faults?: FaultOptions
  readonly rateLimit?: {
    /** All requests per rolling window; default 20,000 (docs/fivetran-api.md §1.7). */
    readonly hourly?: number
    /**
     * The rolling window of `hourly`, in seconds; default 3600 as at Fivetran. Shorter windows let
     * a person or a test watch budgeting in seconds; answers then carry `X-Rate-Limit-Window-Seconds`.
     */
    readonly windowSeconds?: number
    /** `POST /v1/users` per rolling hour; default 500. */
    readonly invitesHourly?: number
  }
  /** Seeds the ids of entities created through the API; default derived from the account id. */
  readonly seed?: number
  /**
   * Whether `GET /v1/groups/{id}/users` also lists every user holding an account role, with role
   * null (default true, the inferred Fivetran behaviour). In a large account that makes each group
   * list nearly every user; false lists direct members only.
   */
  readonly groupUsersIncludeAccountRoles?: boolean
  /**
   * How `POST /v1/users` refuses an email already in the account (case-insensitive): 409 `Conflict`
   * (the default), or 400 `InvalidInput` naming the field. Which one Fivetran sends is UNCONFIRMED
   * (docs/fivetran-api.md §9); a client must handle both.
   */
  readonly emailInUseStatus?: EmailInUseStatus
}

export interface SandboxShape {
  /**
   * `http://host:port`, without `/v1` (what the client's `baseUrl` expects): on a wildcard address
   * (0.0.0.0, `::`), the loopback address of its family, by which a client on this machine reaches it.
   */
  readonly baseUrl: string
  readonly requestLog: Effect.Effect<ReadonlyArray<RequestLogEntry>>
  readonly clearRequestLog: Effect.Effect<void>
  /** The current state as a snapshot. */
  readonly snapshot: Effect.Effect<AccountSnapshot>
  /** Replaces every fault setting (and restarts the fault PRNG from its seed). */
  readonly setFaults: (faults: FaultOptions) => Effect.Effect<void>
  /** Replaces the test hook run before each request is handled (RequestHook.ts); undefined removes it. */
  readonly setRequestHook: (hook: RequestHook | undefined) => Effect.Effect<void>
}

export { DEFAULT_HOURLY_LIMIT, DEFAULT_INVITES_HOURLY_LIMIT, DEFAULT_RATE_WINDOW_SECONDS }
export type { EmailInUseStatus }

const make = (options: SandboxOptions, node: Server) =>
  Effect.gen(function*() {
    const state = new AccountState(options.snapshot, {
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.groupUsersIncludeAccountRoles === undefined
        ? {}
        : { groupUsersIncludeAccountRoles: options.groupUsersIncludeAccountRoles }),
      ...(options.emailInUseStatus === undefined ? {} : { emailInUseStatus: options.emailInUseStatus })
    })
    const rateLimit = new RollingWindow(
      options.rateLimit?.hourly ?? DEFAULT_HOURLY_LIMIT,
      (options.rateLimit?.windowSeconds ?? DEFAULT_RATE_WINDOW_SECONDS) * 1000
    )
    const invites = new RollingWindow(options.rateLimit?.invitesHourly ?? DEFAULT_INVITES_HOURLY_LIMIT, HOUR_MILLIS)
    const faults = new FaultInjector(options.faults ?? {})
    const log = new RequestLog()
    let hook: RequestHook | undefined
    const beforeHandling: RequestHook = (request) => Effect.suspend(() => hook === undefined ? Effect.void : hook(request))
    const server = yield* HttpServer.HttpServer
    // A stand-in for Fivetran: its server side is not the connector's to trace (with --sandbox it
    // shares the process, and so the tracer, with the app).
    yield* server.serve(makeSandboxApp({
      state,
      endpoints: makeEndpoints(state, invites),
      rateLimit,
      faults,
      log,
      beforeHandling
    })).pipe(
      HttpMiddleware.withTracerDisabledWhenEffect(() => true)
    )
    // Closing the server waits for the requests in flight, and one held by --latency (up to ten
    // minutes) held the stop as long: their connections are ended first, which interrupts their
    // handlers, and their clients see the connection close.
    yield* Effect.addFinalizer(() => Effect.sync(() => node.closeAllConnections()))
    // Node's own address, not the platform's: that tells `::` as 0.0.0.0, which a listener on `::`
    // that takes IPv6 only does not answer.
    const bound = node.address()
    const baseUrl = bound !== null && typeof bound === "object"
      ? `http://${urlHost(wildcardLoopback(bound.address) ?? bound.address)}:${bound.port}`
      : `http://unix:${bound}`
    yield* Effect.logDebug(`Fivetran sandbox listening on ${baseUrl}`)
    return Sandbox.of({
      baseUrl,
      requestLog: Effect.sync(() => log.read()),
      clearRequestLog: Effect.sync(() => log.clear()),
      snapshot: Effect.sync(() => state.toSnapshot()),
      setFaults: (f) => Effect.sync(() => faults.set(f)),
      setRequestHook: (h) =>
        Effect.sync(() => {
          hook = h
        })
    })
  })

/** The in-memory Fivetran REST API, served over HTTP for as long as the layer lives. */
export class Sandbox extends Context.Tag("fivetran-sandbox/Sandbox")<Sandbox, SandboxShape>() {
  static layer = (options: SandboxOptions) =>
    Layer.unwrapEffect(Effect.sync(() => {
      const node = createServer()
      return Layer.scoped(Sandbox, make(options, node)).pipe(
        Layer.provide(NodeHttpServer.layerServer(() => node, { port: options.port ?? 0, host: options.host ?? "127.0.0.1" }))
      )
    }))
}
