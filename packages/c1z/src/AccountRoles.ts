import { ConnectionResourceType, GroupResourceType, type ResourceId, resourceRef, RoleResourceType } from "@baton-fivetran/connector-core"
import { Effect, Stream } from "effect"
import type { C1zError } from "./C1zError.js"
import type { C1zReader } from "./C1zReader.js"

/**
 * The account roles a destination's or connection's review points to. Fivetran's roles cascade
 * from the account down: an account role reaches every destination and its connections as far as
 * its permissions go (Account Administrator all of it, Destination Creator the destinations its
 * holder created, a custom role by its permissions). What each role may do there is not in the
 * sync, so a resource's sheet lists no grants for them: its review names them and their holders'
 * count instead, with where to list the holders (the role's own sheet). A destination's roles
 * cascade the same way to its connections, so a connection's review names its destination's too.
 */

/** An account role (`role:<name>`) held by someone, and by how many users and teams (each once, however many paths). */
export interface AccountRoleHolders {
  readonly id: string
  readonly name: string
  readonly holders: number
}

/** Destinations and connections: the resources account roles reach without a grant on them. */
export const reachedByAccountRoles = (resource: ResourceId): boolean =>
  resource.resourceType === GroupResourceType.id || resource.resourceType === ConnectionResourceType.id

/**
 * How many users and teams hold any of a resource's entitlements, each once however many paths:
 * an account role's holders, or a destination's (whose roles cascade to its connections).
 */
export const resourceHolders = (reader: C1zReader, resource: ResourceId): Effect.Effect<number, C1zError> =>
  reader.entitlements({ resource }).pipe(
    Stream.flatMap((entitlement) => reader.sorted.holdersOf(entitlement.value.id)),
    Stream.runFold(new Set<string>(), (principals, grant) => principals.add(resourceRef(grant.value.principal))),
    Effect.map((principals) => principals.size)
  )

/** The sync's account roles that anyone holds, by id. */
export const accountRoleHolders = (reader: C1zReader): Effect.Effect<ReadonlyArray<AccountRoleHolders>, C1zError> =>
  reader.sorted.resources({ resourceType: RoleResourceType.id }).pipe(
    Stream.mapEffect(({ value: role }) =>
      Effect.map(resourceHolders(reader, role.id), (holders) => ({
        id: resourceRef(role),
        name: role.displayName ?? role.id.resource,
        holders
      }))
    ),
    Stream.filter((role) => role.holders > 0),
    Stream.runCollect,
    Effect.map((roles) => Array.from(roles))
  )
