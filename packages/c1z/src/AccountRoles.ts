import {
  ConnectionResourceType,
  GroupResourceType,
  type Keyed,
  mergeSorted,
  type ResourceId,
  resourceRef,
  RoleResourceType
} from "@baton-fivetran/connector-core"
import { Chunk, Effect, Stream } from "effect"
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
 * an account role's holders, or a destination's (whose roles cascade to its connections). Each
 * entitlement's holders come by principal (their grant ids differ only past the entitlement's id),
 * so the lists are merge-joined by principal and the principals counted as they pass: a Set of
 * every holder was the size of the account for a role everyone holds.
 */
export const resourceHolders = (reader: C1zReader, resource: ResourceId): Effect.Effect<number, C1zError> =>
  Effect.flatMap(Stream.runCollect(reader.entitlements({ resource })), (entitlements) => {
    const byPrincipal = Chunk.toReadonlyArray(entitlements).map((entitlement) =>
      Stream.map(reader.sorted.holdersOf(entitlement.value.id), (grant): Keyed<undefined> => ({
        key: resourceRef(grant.value.principal),
        value: undefined
      }))
    )
    const [first, ...rest] = byPrincipal
    if (first === undefined) return Effect.succeed(0)
    const merged = rest.reduce(
      (sofar, next) => Stream.map(mergeSorted(sofar, next), ({ key }): Keyed<undefined> => ({ key, value: undefined })),
      first
    )
    // A principal listed twice under one entitlement (a file baton did not write) is still one holder.
    return Stream.runCount(Stream.changesWith(merged, (a, b) => a.key === b.key))
  })

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
