import type { Group } from "@baton-fivetran/fivetran-client"
import type { Entitlement, Resource, ResourceId, ResourceType } from "../model/Baton.js"
import { bidiClosed } from "../model/BidiClosed.js"
import { makeEntitlement } from "../model/Entitlements.js"
import { resourceRefOf } from "../model/Ids.js"
import { type EntitledRole, type RoleCatalog, roleDescription } from "./RoleCatalog.js"
import { TeamResourceType } from "./Team.js"
import { UserResourceType } from "./User.js"

/** The connection type id, named here because groups are its parents. */
const ConnectionTypeId = "connection"

/**
 * Fivetran destination groups. When connections are synced, groups are their parents and the
 * type (and each group) carries ChildResourceType{connection}.
 */
export const groupResourceType = (options: { readonly syncConnections: boolean }): ResourceType => ({
  id: "group",
  displayName: "Group",
  traits: ["GROUP"],
  description: "A Fivetran destination group",
  annotations: options.syncConnections ? [{ _tag: "ChildResourceType", resourceTypeId: ConnectionTypeId }] : []
})

/** The type as capabilities describe it (connections off). */
export const GroupResourceType: ResourceType = groupResourceType({ syncConnections: false })

export const groupResourceId = (groupId: string): ResourceId => ({ resourceType: GroupResourceType.id, resource: groupId })

export const groupResource = (group: Group, options: { readonly syncConnections: boolean }): Resource => {
  const profile: Record<string, unknown> = { ...group }
  return {
    id: groupResourceId(group.id),
    displayName: group.name,
    annotations: [
      { _tag: "GroupTrait", profile },
      ...(options.syncConnections ? [{ _tag: "ChildResourceType", resourceTypeId: ConnectionTypeId } as const] : [])
    ],
    profile,
    createdAt: group.created_at
  }
}

/** `group:G:<role>` for a DESTINATION-scoped role, listed or not (slug = role name verbatim), grantable to users and teams. */
export const groupRoleEntitlement = (group: Resource, role: EntitledRole): Entitlement =>
  makeEntitlement(group, role.name, {
    purpose: "PERMISSION",
    displayName: `${bidiClosed(role.name)} on ${bidiClosed(group.displayName ?? group.id.resource)}`,
    description: roleDescription(role),
    grantableTo: [UserResourceType, TeamResourceType],
    exclusionGroupId: `${resourceRefOf(group.id)}:role`
  })

export const groupEntitlements = (group: Resource, catalog: RoleCatalog): ReadonlyArray<Entitlement> =>
  catalog.destination.map((role) => groupRoleEntitlement(group, role))
