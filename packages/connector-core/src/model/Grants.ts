import type { Entitlement, Grant, Resource, ResourceId } from "./Baton.js"
import { grantId, teamMemberEntitlementId } from "./Ids.js"

/**
 * The three kinds of grant a sync emits (docs/architecture.md §2): a direct grant (possibly also reached
 * through teams), a grant held by a team (expandable to its members), and a grant derived from a
 * team membership (immutable: revoked only through the team).
 */

/** As baton's NewGrant: the principal is a Resource carrying only its id. */
export const principalResource = (id: ResourceId): Resource => ({ id, annotations: [] })

/**
 * A grant the principal holds itself. When the same user is also reached through teams that hold
 * the entitlement, the grant id is the same, so the one row names both: its own entitlement as the
 * direct source and each team's `member` entitlement as an indirect one. It stays revocable.
 */
export const directGrant = (
  entitlement: Entitlement,
  principal: ResourceId,
  viaTeams: ReadonlyArray<string> = []
): Grant => {
  const id = grantId(entitlement.id, principal)
  // Two plain literals rather than a conditional spread: V8 then keeps one stable shape per kind,
  // and a sync's garbage stays young (the spread made peak RSS grow with the grant count).
  if (viaTeams.length === 0) {
    return { id, entitlement, principal: principalResource(principal), annotations: [] }
  }
  return {
    id,
    entitlement,
    principal: principalResource(principal),
    annotations: [],
    sources: Object.fromEntries([
      [entitlement.id, { isDirect: true }],
      ...viaTeams.map((teamId) => [teamMemberEntitlementId(teamId), { isDirect: false }] as const)
    ])
  }
}

/** A grant whose principal is team T: whoever holds `team:T:member` holds it too. */
export const teamGrant = (entitlement: Entitlement, teamId: string): Grant => ({
  id: grantId(entitlement.id, { resourceType: "team", resource: teamId }),
  entitlement,
  principal: principalResource({ resourceType: "team", resource: teamId }),
  annotations: [{ _tag: "GrantExpandable", entitlementIds: [teamMemberEntitlementId(teamId)] }]
})

/**
 * The expansion of team grants to a user who does not hold the entitlement directly. `viaTeams`
 * lists every team (in sync order) that holds the entitlement and has the user as a member; the
 * first names the GrantImmutable source.
 */
export const derivedGrant = (
  entitlement: Entitlement,
  userId: string,
  viaTeams: readonly [string, ...Array<string>]
): Grant => {
  const principal: ResourceId = { resourceType: "user", resource: userId }
  return {
    id: grantId(entitlement.id, principal),
    entitlement,
    principal: principalResource(principal),
    annotations: [{ _tag: "GrantImmutable", sourceId: teamMemberEntitlementId(viaTeams[0]) }],
    sources: Object.fromEntries(viaTeams.map((teamId) => [teamMemberEntitlementId(teamId), { isDirect: false }] as const))
  }
}
