import type { Connection } from "@baton-fivetran/fivetran-client"
import type { Entitlement, Resource, ResourceId, ResourceType } from "../model/Baton.js"
import { bidiClosed } from "../model/BidiClosed.js"
import { makeEntitlement } from "../model/Entitlements.js"
import { resourceRefOf } from "../model/Ids.js"
import { groupResourceId } from "./Group.js"
import { type EntitledRole, type RoleCatalog, roleDescription } from "./RoleCatalog.js"
import { TeamResourceType } from "./Team.js"
import { UserResourceType } from "./User.js"

/** Fivetran connections (opt-in), children of their destination group. No trait. */
export const ConnectionResourceType: ResourceType = {
  id: "connection",
  displayName: "Connection",
  traits: [],
  description: "A Fivetran connection (opt-in: --sync-connections)",
  annotations: []
}

export const connectionResourceId = (connectionId: string): ResourceId => ({
  resourceType: ConnectionResourceType.id,
  resource: connectionId
})

/** Display name "service schema", what people recognise a connection by. */
export const connectionResource = (connection: Connection): Resource => ({
  id: connectionResourceId(connection.id),
  parentResourceId: groupResourceId(connection.group_id),
  displayName: `${connection.service} ${connection.schema}`,
  annotations: [],
  profile: { ...connection },
  ...(connection.created_at === undefined ? {} : { createdAt: connection.created_at })
})

/** `connection:C:<role>` for a CONNECTOR-scoped role, listed or not, grantable to users and teams. */
export const connectionRoleEntitlement = (connection: Resource, role: EntitledRole): Entitlement =>
  makeEntitlement(connection, role.name, {
    purpose: "PERMISSION",
    displayName: `${bidiClosed(role.name)} on ${bidiClosed(connection.displayName ?? connection.id.resource)}`,
    description: roleDescription(role),
    grantableTo: [UserResourceType, TeamResourceType],
    exclusionGroupId: `${resourceRefOf(connection.id)}:role`
  })

export const connectionEntitlements = (connection: Resource, catalog: RoleCatalog): ReadonlyArray<Entitlement> =>
  catalog.connector.map((role) => connectionRoleEntitlement(connection, role))
