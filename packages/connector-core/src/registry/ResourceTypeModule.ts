import { type Effect, Option, type Stream } from "effect"
import type { Capability } from "../connector/Capability.js"
import type { ResourceType, SyncRow } from "../model/Baton.js"
import type { Access, AccessContext } from "../provisioning/Access.js"
import type { ResolveError } from "../provisioning/ContainerAbsent.js"
import type { GrantTarget, PrincipalType } from "../provisioning/GrantTarget.js"
import type { PhaseContext } from "../sync/PhaseContext.js"
import type { SyncFailed } from "../sync/SyncFailure.js"

/**
 * The phases of a sync, in the order they run. A phase's rows are the rows of every registered
 * type in that phase, in registry order. The engine's own "derived grants" step (grants reached
 * only through teams) runs between "users" and "groups": types whose direct grants are listed per
 * user (account roles, connections) are complete by then; groups claim their team-reached grants
 * group by group.
 */
export const SyncPhaseNames = ["resource types", "teams", "users", "groups"] as const
export type SyncPhaseName = typeof SyncPhaseNames[number]

export interface SyncedTypeOptions {
  /** Connections are synced (asked for, and the key may list them). */
  readonly syncConnections: boolean
}

/**
 * One resource type, everything the connector does with it: how it is described (capabilities,
 * the HTTP type filter), the rows its phase adds to a sync, and how its entitlements are granted
 * and revoked. Register it in ResourceTypeRegistry.ts.
 */
export interface ResourceTypeModule {
  /** The type as capabilities describe it. */
  readonly type: ResourceType
  readonly capabilities: ReadonlyArray<Capability>
  readonly sync: {
    /** The type as a sync writes it, or None to leave the type out of that sync. */
    readonly typeIn: (options: SyncedTypeOptions) => Option.Option<ResourceType>
    readonly phase: SyncPhaseName
    /** Resources, entitlements and grants, streamed (a phase holds at most `concurrency` containers' lists). */
    readonly rows: (context: PhaseContext) => Stream.Stream<SyncRow, SyncFailed>
  }
  /** Grant and revoke of the type's entitlements; absent when it offers none. */
  readonly grants?: {
    readonly grantableTo: ReadonlyArray<PrincipalType>
    /**
     * The type's resource ids may contain ':' (a role's id is its name), so an entitlement id's slug
     * is what follows its last ':'. Otherwise the resource id is a Fivetran id, which has none, and
     * the slug is all that follows it: a custom role named "Ops: EU" stays whole.
     */
    readonly resourceIdsMayContainColons?: boolean
    /**
     * Checks the entitlement and principal against Fivetran and finds the slot a grant or revoke
     * changes; a group, team or connection Fivetran does not have is ContainerAbsent.
     */
    readonly resolve: (context: AccessContext, target: GrantTarget) => Effect.Effect<Access, ResolveError>
  }
}

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
