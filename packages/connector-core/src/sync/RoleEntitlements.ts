import type { Entitlement, SyncRow } from "../model/Baton.js"
import { row } from "./SyncRows.js"

/** The entitlement a membership's role gives on its container, with the rows to write before its grant. */
export interface RoleEntitlement {
  readonly entitlement: Entitlement
  /** False for a role GET /v1/roles does not list in that scope: each of its grants raises `unknown_role`. */
  readonly listed: boolean
  /** An unlisted role's entitlement rows the first time it is met on the container; otherwise none. */
  readonly rows: ReadonlyArray<SyncRow>
}

/**
 * The entitlements of the roles memberships name on one container (or, for account roles, on the
 * account). A listed role's entitlement is written with its container; an unlisted role's is made
 * the first time a membership names it, its rows handed out with that membership's grant, so that
 * it is written once and before any grant of it. Only the unlisted roles met are kept.
 */
export const roleEntitlements = (
  listed: (roleName: string) => Entitlement | undefined,
  unlisted: (roleName: string) => Entitlement,
  rowsOf: (entitlement: Entitlement) => ReadonlyArray<SyncRow> = (entitlement) => [row.entitlement(entitlement)]
): (roleName: string) => RoleEntitlement => {
  const met = new Map<string, Entitlement>()
  return (roleName) => {
    const known = listed(roleName)
    if (known !== undefined) return { entitlement: known, listed: true, rows: [] }
    const seen = met.get(roleName)
    if (seen !== undefined) return { entitlement: seen, listed: false, rows: [] }
    const entitlement = unlisted(roleName)
    met.set(roleName, entitlement)
    return { entitlement, listed: false, rows: rowsOf(entitlement) }
  }
}
