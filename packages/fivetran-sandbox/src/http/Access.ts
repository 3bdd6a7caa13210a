import { formatPermission, requiredPermission } from "@baton-fivetran/fivetran-client"
import { Context } from "effect"
import type { Credential } from "../state/AccountSnapshot.js"
import type { AccountState } from "../state/AccountState.js"
import { ApiError, forbidden } from "./ApiError.js"

/** The credential a request authenticated with; handlers read it to act as its user. */
export class Caller extends Context.Tag("fivetran-sandbox/Caller")<Caller, Credential>() {}

const unauthorized = (message: string) => new ApiError({ status: 401, code: "Unauthorized", message })

const BASIC = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i

/** HTTP Basic `key:secret` (docs/fivetran-api.md §1.1); any mismatch is a 401 that names no secret. */
export const authenticate = (state: AccountState, authorization: string | undefined): Credential | ApiError => {
  if (authorization === undefined) return unauthorized("Missing Authorization header; use HTTP Basic with the API key and secret")
  const encoded = BASIC.exec(authorization)?.[1]
  if (encoded === undefined) return unauthorized("Authorization must be HTTP Basic with the API key and secret")
  const decoded = Buffer.from(encoded, "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  if (colon < 0) return unauthorized("Invalid authorization credentials")
  const credential = state.credential(decoded.slice(0, colon))
  if (credential === undefined || credential.secret !== decoded.slice(colon + 1)) {
    return unauthorized("Invalid authorization credentials")
  }
  return credential
}

const ADMINISTRATOR = "Account Administrator"
const DESTINATION_CREATOR = "Destination Creator"

/**
 * Whether the caller may make this call, decided by `route`, the path template of the endpoint the
 * request matched (`/v1/teams/:teamId`), not by its path as sent: the router takes `/V1/TEAMS`,
 * `/v1//teams` and `/v1/%74eams` for `/v1/teams`, and a system key without TEAM permissions read
 * and deleted teams so. Messages name `path`, as sent.
 * - System key: the permission `requiredPermission(method, route)` names; READ is satisfied by READ
 *   or MANAGE, MANAGE only by MANAGE.
 * - User key, by its owner's account role: Account Administrator may do everything; any other
 *   account role (standard or custom) may read; Destination Creator may also create groups; a user
 *   with no account role may only read `/v1/account/info` (who am I).
 */
export const authorize = (
  state: AccountState,
  caller: Credential,
  method: string,
  route: string,
  path: string
): ApiError | undefined => {
  if (caller._tag === "SystemKey") {
    const needed = requiredPermission(method, route)
    if (needed === undefined) return undefined
    const held = caller.permissions.find((p) => p.resource_type === needed.resource_type)?.access_level
    const enough = held === "MANAGE" || (held === "READ" && needed.access_level === "READ")
    return enough
      ? undefined
      : forbidden(`System key '${caller.system_key_id}' requires ${formatPermission(needed)} for ${method} ${path}`)
  }
  const role = state.accountRoleOf(caller.user_id)
  // Its user was deleted while the request was held (a request hook): its key went with it.
  if (role === undefined) return unauthorized("Invalid authorization credentials")
  if (role === ADMINISTRATOR) return undefined
  if (method === "GET" && route === "/v1/account/info") return undefined
  if (role === null) {
    return forbidden(`User '${caller.user_id}' has no account role; ${method} ${path} is not allowed`)
  }
  if (method === "GET") return undefined
  if (method === "POST" && route === "/v1/groups" && role === DESTINATION_CREATOR) return undefined
  return forbidden(`User '${caller.user_id}' with role '${role}' may only read; ${method} ${path} requires ${ADMINISTRATOR}`)
}
