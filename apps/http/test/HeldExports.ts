import { generate } from "@baton-fivetran/fivetran-sandbox"
import { Effect, type Scope } from "effect"
import { type Agent, get, type IncomingHttpHeaders, type IncomingMessage } from "node:http"

/**
 * Exports held open by a client that does not read them, for the tests of
 * `--max-concurrent-exports`: an account whose sheet outgrows the socket buffers, and a download
 * whose body is left unread, so the service's slot stays taken until the client hangs up.
 */

/**
 * Eight teams of 300-400 users, each team holding 30-40 groups: ~100,000 sheet rows (~15 MB of
 * CSV) from a sync of a few dozen requests. Far more than the loopback socket buffers hold, so an
 * unread download stays open; the small preset's sheet would be sent whole before the client read.
 */
export const manyRows = generate({
  seed: 7,
  users: 400,
  groups: 40,
  teams: 8,
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
