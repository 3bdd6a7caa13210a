import { isRoleScope, isUserType, quotedEchoed, type Role, type User } from "@baton-fivetran/fivetran-client"
import { Option } from "effect"
import type { SyncWarning } from "./SyncWarning.js"

/**
 * Values Fivetran adds without a new API version, which a sync meets before this connector knows
 * them. As a baton connector does with what it cannot map, the sync goes on: what is known keeps
 * its meaning, and each unknown value is named (quoted, cut past 128 characters) in an
 * `unknown_value` warning counting what it concerns, for the operator to report.
 */

/**
 * A role listed with a scope this connector does not know: it is synced with its known scopes (a
 * role resource, or entitlements on each container, as before), and skipped when it has none; its
 * `scope` in a role resource's profile stays as Fivetran sent it. A role listed with no scope
 * (docs/fivetran-api.md §6 lists one or more for each) has no known one either: it is skipped with
 * a warning of its own, where it was skipped unsaid. Memberships naming a skipped role are written
 * under an unlisted role's entitlement (RoleCatalog.ts), as for any role the list lacks in their scope.
 */
export const unknownScopeWarning = (role: Role): Option.Option<SyncWarning> => {
  if (role.scope.length === 0) {
    return Option.some({
      kind: "unknown_value",
      message: "GET /v1/roles lists roles with no scope, which this connector cannot map; those roles are skipped",
      counts: "role"
    })
  }
  const unknown = role.scope.filter((scope) => !isRoleScope(scope))
  if (unknown.length === 0) return Option.none()
  const fate = unknown.length === role.scope.length
    ? "those roles have no other scope and are skipped"
    : "those roles are synced with their other scopes only"
  return Option.some({
    kind: "unknown_value",
    message: `GET /v1/roles lists roles with scope ${unknown.map(quotedEchoed).join(", ")}, which this connector does not know; ${fate}`,
    counts: "role"
  })
}

/**
 * A user of a `user_type` this connector does not know: synced as a HUMAN account, as the resource
 * model maps every type but SERVICE_ACCOUNT (docs/architecture.md §2), the value kept in its profile.
 */
export const unknownUserTypeWarning = (user: User): Option.Option<SyncWarning> =>
  user.user_type === undefined || isUserType(user.user_type)
    ? Option.none()
    : Option.some({
      kind: "unknown_value",
      message: `GET /v1/users lists users with user_type ${
        quotedEchoed(user.user_type)
      }, which this connector does not know; they are synced as HUMAN accounts, the value kept in their profile`,
      counts: "user"
    })
