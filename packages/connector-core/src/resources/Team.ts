import type { Role, Team } from "@baton-fivetran/fivetran-client"
import type { Entitlement, Resource, ResourceId, ResourceType } from "../model/Baton.js"
import { bidiClosed } from "../model/BidiClosed.js"
import { makeEntitlement } from "../model/Entitlements.js"
import { resourceRefOf } from "../model/Ids.js"
import { type EntitledRole, type RoleCatalog, roleDescription } from "./RoleCatalog.js"
import { UserResourceType } from "./User.js"

/** Fivetran teams: groups of users that hold roles together. */
export const TeamResourceType: ResourceType = {
  id: "team",
  displayName: "Team",
  traits: ["GROUP"],
  description: "A Fivetran team; its members inherit the team's account, destination and connection roles",
  annotations: []
}

/** The slug of the entitlement every team member holds. */
export const TeamMemberSlug = "member"

export const teamResourceId = (teamId: string): ResourceId => ({ resourceType: TeamResourceType.id, resource: teamId })

export const teamResource = (team: Team): Resource => {
  const profile: Record<string, unknown> = { ...team }
  return {
    id: teamResourceId(team.id),
    displayName: team.name,
    ...(team.description === null || team.description === "" ? {} : { description: team.description }),
    annotations: [{ _tag: "GroupTrait", profile }],
    profile
  }
}

/** `team:T:member` (ASSIGNMENT), held by every member whatever their team role. */
export const teamMemberEntitlement = (team: Resource): Entitlement =>
  makeEntitlement(team, TeamMemberSlug, {
    purpose: "ASSIGNMENT",
    displayName: `${bidiClosed(team.displayName ?? team.id.resource)} member`,
    description: `Member of the Fivetran team ${bidiClosed(team.displayName ?? team.id.resource)}`,
    grantableTo: [UserResourceType]
  })

/** `team:T:<role>` for a TEAM-scoped role, listed or not; a member has exactly one, so they form an exclusion group. */
export const teamRoleEntitlement = (team: Resource, role: EntitledRole): Entitlement =>
  makeEntitlement(team, role.name, {
    purpose: "PERMISSION",
    displayName: `${bidiClosed(role.name)} of ${bidiClosed(team.displayName ?? team.id.resource)}`,
    description: roleDescription(role),
    grantableTo: [UserResourceType],
    exclusionGroupId: `${resourceRefOf(team.id)}:role`
  })

/**
 * The TEAM roles that have an entitlement of their own: all but a custom role named `member`, whose
 * `team:T:member` would be the membership's id (a public contract; two rows of one id, the later
 * replacing the earlier). Its holders show as members only, with a warning (TeamType.ts).
 */
export const teamRoleEntitlementRoles = (catalog: RoleCatalog): ReadonlyArray<Role> =>
  catalog.team.filter((role) => role.name !== TeamMemberSlug)

/** `member` first, then one entitlement per TEAM-scoped role in the order of `GET /v1/roles`. */
export const teamEntitlements = (team: Resource, catalog: RoleCatalog): ReadonlyArray<Entitlement> => [
  teamMemberEntitlement(team),
  ...teamRoleEntitlementRoles(catalog).map((role) => teamRoleEntitlement(team, role))
]
