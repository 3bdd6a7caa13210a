import type { Role } from "@baton-fivetran/fivetran-client"
import type { Entitlement, Resource, ResourceId, ResourceType } from "../model/Baton.js"
import { makeEntitlement } from "../model/Entitlements.js"
import { roleDescription } from "./RoleCatalog.js"
import { TeamResourceType } from "./Team.js"
import { UserResourceType } from "./User.js"

/** ACCOUNT-scoped Fivetran roles; the resource id is the role name (roles have no other id). */
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

export const roleResource = (role: Role): Resource => {
  const profile: Record<string, unknown> = { ...role }
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
    displayName: `${role.displayName ?? role.id.resource} role`,
    description: `Holds the Fivetran account role ${role.displayName ?? role.id.resource}`,
    grantableTo: [UserResourceType, TeamResourceType],
    exclusionGroupId: AccountRoleExclusionGroup
  })
