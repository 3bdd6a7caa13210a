import { Context, Option } from "effect"
import type { ResourceType } from "../model/Baton.js"
import { ConnectionType } from "../types/ConnectionType.js"
import { GroupType } from "../types/GroupType.js"
import { RoleType } from "../types/RoleType.js"
import { TeamType } from "../types/TeamType.js"
import { UserType } from "../types/UserType.js"
import type { ResourceTypeModule, SyncedTypeOptions } from "./ResourceTypeModule.js"

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

/** The ids a query may filter by: every registered type. */
export const resourceTypeIds = (registry: ReadonlyArray<ResourceTypeModule>): ReadonlyArray<string> =>
  registry.map((module) => module.type.id)

/** The resource types a sync with these options writes, in registry order. */
export const syncedResourceTypes = (
  registry: ReadonlyArray<ResourceTypeModule>,
  options: SyncedTypeOptions
): ReadonlyArray<ResourceType> => registry.flatMap((module) => Option.toArray(module.sync.typeIn(options)))

/** The module of a type whose entitlements can be granted, if there is one. */
export const grantableModule = (
  registry: ReadonlyArray<ResourceTypeModule>,
  typeId: string
): Option.Option<ResourceTypeModule & { readonly grants: NonNullable<ResourceTypeModule["grants"]> }> =>
  Option.fromNullable(registry.find((module) => module.type.id === typeId)).pipe(
    Option.flatMap((module) => module.grants === undefined ? Option.none() : Option.some({ ...module, grants: module.grants }))
  )
