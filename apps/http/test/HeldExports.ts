import { generate } from "@baton-fivetran/fivetran-sandbox"
import { Effect, type Scope } from "effect"
import { type Agent, get, type IncomingHttpHeaders, type IncomingMessage } from "node:http"

/**
 * Exports held open by a client that does not read them, for the tests of
 * `--max-concurrent-exports`: an account whose sheet outgrows the socket buffers, and a download
 * whose body is left unread, so the service's slot stays taken until the client hangs up.
 */

/**
 * `teams` teams of 300-400 users among `users`, each team holding 30-40 groups: a sheet and a `.c1z`
 * far larger than the loopback socket buffers from a sync of a few dozen requests, so an unread
 * download stays open; the small preset's would be sent whole before the client read.
 */
const teamHeavy = (users: number, teams: number) =>
  generate({
    seed: 7,
    users,
    groups: 40,
    teams,
    connections: 0,
    customRoles: 0,
    groupsPerUser: { min: 0, max: 1 },
    connectionsPerUser: { min: 0, max: 0 },
    usersPerTeam: { min: 300, max: 400 },
    groupsPerTeam: { min: 30, max: 40 },
    connectionsPerTeam: { min: 0, max: 0 },
    invitedShare: 0,
    suspendedShare: 0,
    serviceAccountShare: 0,
    noAccountRoleShare: 0,
    deprecatedRoleShare: 0
  })

/** Eight teams among 400 users: ~100,000 sheet rows (~15 MB of CSV). */
export const manyRows = teamHeavy(400, 8)

/** 24 teams among 1,200 users: a `.c1z` of ~9 MB, twice what the socket buffers hold, from a sync of a few seconds. */
export const largeSyncFile = teamHeavy(1200, 24)

export interface OpenDownload {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly response: IncomingMessage
  readonly hangUp: Effect.Effect<void>
}

/**
 * `GET path` with the body left unread: the answer's head only, the connection kept until `hangUp`
 * or the scope's end. On a connection of its own, or one of `agent`'s (a client that keeps its
 * connections alive between requests).
 */
export const openDownload = (
  baseUrl: string,
  token: string,
  path: string,
  agent: Agent | false = false
): Effect.Effect<OpenDownload, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<OpenDownload>((resume) => {
      const request = get(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` }, agent }, (response) =>
        resume(Effect.succeed({
          status: response.statusCode ?? 0,
          headers: response.headers,
          response,
          hangUp: Effect.sync(() => request.destroy())
        })))
      request.on("error", (error) => resume(Effect.die(error)))
    }),
    (download) => download.hangUp
  )

/** `GET /v1/export` with the body left unread, on a connection of its own (openDownload). */
export const openExport = (baseUrl: string, token: string): Effect.Effect<OpenDownload, never, Scope.Scope> =>
  openDownload(baseUrl, token, "/v1/export")

/** What the explorer says while the service refuses one more export (429) and the page waits 5 s to try again. */
export const explorerWaiting = (nextTry: number) =>
  "Waiting for the service: it is already sending as many exports as it runs at once. " +
  `Trying again in 5 s (try ${nextTry} of 4)…`
