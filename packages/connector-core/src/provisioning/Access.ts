import {
  echoed,
  type FivetranClientShape,
  type FivetranError,
  type MembershipApi,
  type Team,
  type User
} from "@baton-fivetran/fivetran-client"
import { Effect } from "effect"
import type { Entitlement, Grant } from "../model/Baton.js"
import { directGrant, teamGrant } from "../model/Grants.js"
import { entitlementId } from "../model/Ids.js"
import { type DeprecatedRole, deprecationOf, type EntitledRole, type RoleCatalog } from "../resources/RoleCatalog.js"
import { userResourceId } from "../resources/User.js"
import { type AccessSlot, membership } from "./AccessSlot.js"
import type { Principal } from "./GrantTarget.js"
import { holdsMembership, type TeamHolds, teamsGiving } from "./InheritedAccess.js"
import { type ProvisioningError, UnknownPrincipal } from "./ProvisioningError.js"
import { upstreamFailure } from "./UpstreamFailure.js"

/**
 * What a grant or revoke asks of a slot: one role, or (`team:T:member`) membership with any role,
 * added as `addAs`.
 */
export type Wanted =
  | { readonly _tag: "Role"; readonly role: string }
  | { readonly _tag: "AnyRole"; readonly addAs: string }

/** An entitlement and principal checked against Fivetran, ready to be read and written. */
export interface Access {
  readonly wanted: Wanted
  readonly slot: AccessSlot
  /** The grants the principal holds when its role in the container is `role`, exactly as a sync emits them. */
  readonly held: (role: string) => ReadonlyArray<Grant>
  /**
   * The id of the container's entitlement for `role`: what a revoke names when the principal holds
   * another role there than the one asked (a role changed since the sync), which it leaves in place.
   */
  readonly entitlementIdFor: (role: string) => string
  /** The teams that give the user this entitlement; none for team principals and team entitlements. */
  readonly inheritedFrom: Effect.Effect<ReadonlyArray<string>, ProvisioningError>
  /** The principal is a user disabled in Fivetran: it cannot use what it is granted until enabled there. */
  readonly principalDisabled: boolean
  /** The role asked for, when Fivetran has deprecated it (a grant's outcome names its replacement). */
  readonly deprecated: DeprecatedRole | undefined
}

export interface AccessContext {
  readonly client: FivetranClientShape
  /**
   * The account's roles (GET /v1/roles), read once, when first awaited: await it among the module's
   * own reads in `readTogether`, so that all are read at once.
   */
  readonly catalog: Effect.Effect<RoleCatalog, ProvisioningError>
  /** e.g. `grant group:G:View Destination to user:U`, for messages. */
  readonly action: string
  /** A revoke, which may name a role `GET /v1/roles` does not list when it is the one held (RoleChecks.ts' `roleToResolve`). */
  readonly revoking: boolean
  readonly syncConnections: boolean
  /** How many teams a revoke's team scan asks about at once (InheritedAccess.ts). */
  readonly teamScanConcurrency: number
}

/**
 * Reads that do not wait for one another (the roles, the entitlement's resource, the principal),
 * made at once: one round trip instead of one each. The failure reported is the first in the order
 * given, as when they were made one after another; the others still complete.
 */
export function readTogether<A, B, EA, EB>(
  reads: readonly [Effect.Effect<A, EA>, Effect.Effect<B, EB>]
): Effect.Effect<[A, B], EA | EB>
export function readTogether<A, B, C, EA, EB, EC>(
  reads: readonly [Effect.Effect<A, EA>, Effect.Effect<B, EB>, Effect.Effect<C, EC>]
): Effect.Effect<[A, B, C], EA | EB | EC>
export function readTogether<A, B, C, D, EA, EB, EC, ED>(
  reads: readonly [Effect.Effect<A, EA>, Effect.Effect<B, EB>, Effect.Effect<C, EC>, Effect.Effect<D, ED>]
): Effect.Effect<[A, B, C, D], EA | EB | EC | ED>
export function readTogether<A, B, C, D, F, EA, EB, EC, ED, EF>(
  reads: readonly [Effect.Effect<A, EA>, Effect.Effect<B, EB>, Effect.Effect<C, EC>, Effect.Effect<D, ED>, Effect.Effect<F, EF>]
): Effect.Effect<[A, B, C, D, F], EA | EB | EC | ED | EF>
export function readTogether(
  reads: ReadonlyArray<Effect.Effect<unknown, unknown>>
): Effect.Effect<ReadonlyArray<unknown>, unknown> {
  return Effect.flatMap(Effect.all(reads, { concurrency: "unbounded", mode: "either" }), (results) => Effect.all(results))
}

/** The grant of `entitlement` to the principal, as a sync emits it. */
export const grantTo = (principal: Principal) => (entitlement: Entitlement): Grant =>
  principal.type === "user"
    ? directGrant(entitlement, userResourceId(principal.id))
    : teamGrant(entitlement, principal.id)

/** How an absence is reported: ContainerAbsent for the entitlement's resource, UnknownPrincipal for the principal. */
export type Absence<E> = new(fields: { readonly message: string }) => E

export const missing = <E>(Absent: Absence<E>, what: string): E => new Absent({ message: `${what} does not exist` })

/** A read of the entitlement's resource or of the principal: 404 means the request names something absent. */
export const existing = <A, E>(
  context: AccessContext,
  read: Effect.Effect<A, FivetranError>,
  Absent: Absence<E>,
  what: string
): Effect.Effect<A, ProvisioningError | E> =>
  Effect.mapError(read, (e) => (e._tag === "NotFound" ? missing(Absent, what) : upstreamFailure(context.action)(e)))

export const loadUser = (context: AccessContext, userId: string): Effect.Effect<User, ProvisioningError> =>
  existing(context, context.client.getUser(userId), UnknownPrincipal, `user ${echoed(userId)}`)

export const loadTeam = <E>(context: AccessContext, teamId: string, as: Absence<E>): Effect.Effect<Team, ProvisioningError | E> =>
  existing(context, context.client.getTeam(teamId), as, `team ${echoed(teamId)}`)

export const loadPrincipal = (context: AccessContext, principal: Principal): Effect.Effect<User | Team, ProvisioningError> =>
  principal.type === "user" ? loadUser(context, principal.id) : loadTeam(context, principal.id, UnknownPrincipal)

/** A user disabled in Fivetran (a team is never). */
export const disabledUser = (loaded: User | Team): boolean => "active" in loaded && !loaded.active

/** The teams giving a user principal the entitlement (see InheritedAccess.ts); none for a team principal. */
export const inherited = (
  context: AccessContext,
  principal: Principal,
  holds: TeamHolds
): Effect.Effect<ReadonlyArray<string>, ProvisioningError> =>
  principal.type === "user"
    ? Effect.mapError(teamsGiving(context.client, principal.id, holds, context.teamScanConcurrency), upstreamFailure(context.action))
    : Effect.succeed([])

/** A container users and teams are members of (a group, a connection), by id, with its membership APIs. */
export interface Container {
  readonly id: string
  readonly userApi: MembershipApi
  readonly teamApi: MembershipApi
}

/**
 * The principal's membership of the container, through the user or the team membership API: known
 * from the ids alone, so its read joins the resolve's other reads (`readTogether`, then `alreadyRead`).
 */
export const containerSlot = (context: AccessContext, principal: Principal, container: Container): AccessSlot =>
  membership(principal.type === "user" ? container.userApi : container.teamApi, principal.id, container.id, context.action)

/**
 * A role in a container: the slot is the principal's membership (`containerSlot`, read), and a
 * user may also hold it through any team holding that role there.
 */
export const containerRoleAccess = (
  context: AccessContext,
  principal: Principal,
  container: Container,
  slot: AccessSlot,
  role: EntitledRole,
  entitlement: Entitlement,
  principalDisabled: boolean
): Access => {
  const held = [grantTo(principal)(entitlement)]
  return {
    wanted: { _tag: "Role", role: role.name },
    slot,
    held: () => held,
    entitlementIdFor: (other) => entitlementId(entitlement.resource.id, other),
    inheritedFrom: inherited(context, principal, holdsMembership(container.teamApi, container.id, role.name)),
    principalDisabled,
    deprecated: deprecationOf(role)
  }
}
