import type { ResourceType } from "../model/Baton.js"
import { ConnectionResourceType } from "./Connection.js"
import { groupResourceType } from "./Group.js"
import { RoleResourceType } from "./Role.js"
import { TeamResourceType } from "./Team.js"
import { UserResourceType } from "./User.js"

/** The resource types a sync emits, in the order it emits them; `connection` only when opted in. */
export const resourceTypes = (options: { readonly syncConnections: boolean }): ReadonlyArray<ResourceType> => [
  UserResourceType,
  RoleResourceType,
  groupResourceType(options),
  TeamResourceType,
  ...(options.syncConnections ? [ConnectionResourceType] : [])
]
