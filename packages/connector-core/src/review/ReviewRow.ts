import { Schema } from "effect"
import type { Grant, Resource } from "../model/Baton.js"
import { resourceRefOf } from "../model/Ids.js"
import type { AccessPath } from "./AccessPath.js"
import { pathText } from "./AccessPath.js"

/** What every sheet's row says of its principal, first (the users sheet's too: UserRow.ts). */
export const principalFields = () => ({
  principal: Schema.String,
  principal_name: Schema.String,
  email: Schema.String,
  status: Schema.String,
  last_login: Schema.String,
  account_type: Schema.String
})

export const PrincipalColumns = ["principal", "principal_name", "email", "status", "last_login", "account_type"] as const

/** What every sheet's row says of its sync, last. */
export const syncFields = () => ({ sync_id: Schema.String, synced_at: Schema.String })

export const SyncColumns = ["sync_id", "synced_at"] as const

/**
 * One line of an access-review sheet: who (the principal, with what a reviewer checks: email,
 * status, last login, and whether it is a person or a service account, which never logs in), what
 * (the entitlement on its resource), how (`via`: direct or a team) and from which sync (its id and
 * end, on every row: a sheet kept as evidence, or rows pasted from it, still name their sync). Every
 * field is text so that CSV and JSON lines carry the same values; absent values are "".
 */
export const ReviewRow = Schema.Struct({
  ...principalFields(),
  resource: Schema.String,
  resource_name: Schema.String,
  entitlement: Schema.String,
  permission: Schema.String,
  via: Schema.String,
  via_name: Schema.String,
  ...syncFields()
}).annotations({ identifier: "ReviewRow" })
export type ReviewRow = typeof ReviewRow.Type

/** The columns in sheet order (the CSV header); the sync's last, so the others keep their places. */
export const ReviewColumns = [
  ...PrincipalColumns,
  "resource",
  "resource_name",
  "entitlement",
  "permission",
  "via",
  "via_name",
  ...SyncColumns
] as const satisfies ReadonlyArray<keyof ReviewRow>

export const resourceRef = (resource: Resource): string => resourceRefOf(resource.id)

const userTrait = (resource: Resource) => resource.annotations.find((a) => a._tag === "UserTrait")

/**
 * `enabled`, `disabled` or `invited` (enabled, the invitation still pending) for users; "" for
 * principals without a status (teams). A suspended user is `disabled` whatever its details: read
 * first, "invited" hid the suspension of a user who never accepted, and diff saw no change.
 */
export const statusText = (resource: Resource): string => {
  const status = resource.status ?? userTrait(resource)?.status
  if (status === undefined) return ""
  if (status.status === "ENABLED" && status.details === "invited") return "invited"
  return status.status.toLowerCase()
}

export const emailOf = (resource: Resource): string => {
  const emails = userTrait(resource)?.emails ?? []
  return (emails.find((e) => e.isPrimary) ?? emails[0])?.address ?? ""
}

/** A user's last login (RFC 3339), "" when it never signed in or is not a user. */
export const lastLoginText = (resource: Resource): string => userTrait(resource)?.lastLogin ?? ""

/** `human`, `service` (a Fivetran service account) or `system` for users; "" for teams. */
export const accountTypeText = (resource: Resource): string => userTrait(resource)?.accountType.toLowerCase() ?? ""

/** The sync a sheet's rows come from: its id, and its end as RFC 3339 in UTC (as `last_login`). */
export interface SheetSync {
  readonly id: string
  readonly syncedAt: string
}

/** A reader's view of one principal and one team name, and its sync: enough to fill a row. */
export interface RowContext {
  /** The principal's own resource row (a grant carries only its id). */
  readonly principal: Resource
  /** A team's display name, by id ("" when the team is not in the sync). */
  readonly teamName: (teamId: string) => string
  readonly sync: SheetSync
}

/** The row of one grant reached along one path. */
export const reviewRow = (grant: Grant, path: AccessPath, context: RowContext): ReviewRow => {
  const principal = context.principal
  const entitlement = grant.entitlement
  return {
    ...principalCells(principal),
    resource: resourceRef(entitlement.resource),
    resource_name: entitlement.resource.displayName ?? "",
    entitlement: entitlement.id,
    permission: entitlement.slug,
    via: pathText(path),
    via_name: path.via === "team" ? context.teamName(path.team ?? "") : "",
    ...syncCells(context.sync)
  }
}

/** A principal's cells, as every sheet writes them. */
export const principalCells = (principal: Resource) => ({
  principal: resourceRef(principal),
  principal_name: principal.displayName ?? "",
  email: emailOf(principal),
  status: statusText(principal),
  last_login: lastLoginText(principal),
  account_type: accountTypeText(principal)
})

/** A sync's cells, as every sheet writes them. */
export const syncCells = (sync: SheetSync) => ({ sync_id: sync.id, synced_at: sync.syncedAt })
