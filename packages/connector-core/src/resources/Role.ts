import type { Entitlement, Resource, ResourceId, ResourceType } from "../model/Baton.js"
import { bidiClosed } from "../model/BidiClosed.js"
import { makeEntitlement } from "../model/Entitlements.js"
import { type EntitledRole, roleDescription } from "./RoleCatalog.js"
import { TeamResourceType } from "./Team.js"
import { UserResourceType } from "./User.js"

/** ACCOUNT-scoped Fivetran roles (listed, or held but unlisted); the resource id is the role name (roles have no other id). */
export const RoleResourceType: ResourceType = {
  id: "role",
  displayName: "Role",
  traits: ["ROLE"],
  description: "A Fivetran account role",
  annotations: []
}

export const RoleAssignedSlug = "assigned"

/** A user or team has at most one account role, so all `role:R:assigned` share one exclusion group. */
export const AccountRoleExclusionGroup = "role:account"

export const roleResourceId = (roleName: string): ResourceId => ({ resourceType: RoleResourceType.id, resource: roleName })

/** A listed role's profile holds its Fivetran fields; an unlisted one's, the name its holders give. */
export const roleResource = (role: EntitledRole): Resource => {
  const profile: Record<string, unknown> = "_tag" in role ? { name: role.name } : { ...role }
  return {
    id: roleResourceId(role.name),
    displayName: role.name,
    description: roleDescription(role),
    annotations: [{ _tag: "RoleTrait", profile }],
    profile
  }
}

/** `role:R:assigned` (ASSIGNMENT), grantable to users and teams. */
export const roleAssignedEntitlement = (role: Resource): Entitlement =>
  makeEntitlement(role, RoleAssignedSlug, {
    purpose: "ASSIGNMENT",
    displayName: `${bidiClosed(role.displayName ?? role.id.resource)} role`,
    description: `Holds the Fivetran account role ${bidiClosed(role.displayName ?? role.id.resource)}`,
    grantableTo: [UserResourceType, TeamResourceType],
    exclusionGroupId: AccountRoleExclusionGroup
  })
