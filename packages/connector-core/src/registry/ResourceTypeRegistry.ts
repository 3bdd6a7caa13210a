import { Context } from "effect"
import { ConnectionType } from "../types/ConnectionType.js"
import { GroupType } from "../types/GroupType.js"
import { RoleType } from "../types/RoleType.js"
import { TeamType } from "../types/TeamType.js"
import { UserType } from "../types/UserType.js"
import type { ResourceTypeModule } from "./ResourceTypeModule.js"

/**
 * The resource types the connector knows, in sync order (the order of a phase's rows and of the
 * resource-type rows). Capabilities, the HTTP type filter, provisioning dispatch and the sync
 * phases are all derived from this list; adding a type is adding its module here.
 */
export const BuiltInResourceTypes: ReadonlyArray<ResourceTypeModule> = [UserType, RoleType, GroupType, TeamType, ConnectionType]

/**
 * The registry in use: the built-in types unless a layer provides another list (a workspace app
 * with an extra type, or a test registering a toy one).
 */
export class ResourceTypeRegistry extends Context.Reference<ResourceTypeRegistry>()(
  "connector-core/ResourceTypeRegistry",
  { defaultValue: (): ReadonlyArray<ResourceTypeModule> => BuiltInResourceTypes }
) {}
