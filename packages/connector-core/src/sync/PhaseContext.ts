import type { Connection, FivetranClientShape, FivetranError, Membership, RoleScope } from "@baton-fivetran/fivetran-client"
import { Effect, Option, Ref } from "effect"
import type { Entitlement } from "../model/Baton.js"
import { connectionResource, connectionRoleEntitlement } from "../resources/Connection.js"
import { roleAssignedEntitlement, roleResource } from "../resources/Role.js"
import { type RoleCatalog, unlistedRole } from "../resources/RoleCatalog.js"
import { type GoneItems, type ListedItem, unlessGone } from "./GoneMeanwhile.js"
import type { PhaseGates } from "./PhaseOverlap.js"
import type { RequestSlots } from "./RequestSlots.js"
import { type RoleEntitlement, roleEntitlements } from "./RoleEntitlements.js"
import { isMissingPermission, optionalSkipped, type SyncFailed, syncFailure } from "./SyncFailure.js"
import type { SyncCatalog } from "./SyncCatalog.js"
import type { SyncWarning } from "./SyncWarning.js"
import { indexBy, row } from "./SyncRows.js"
import type { TeamExpansion } from "./TeamExpansion.js"

/**
 * What a resource type's sync phase sees (docs/architecture.md §5): the client, the role
 * catalog and connections listed before any phase, the state earlier phases leave for later ones
 * (team expansion, the teams holding a role on each group), and lookups of the entitlements that
 * one type's lists grant on another type (a user's account role, a user's or team's connections),
 * whether `GET /v1/roles` lists the role or not.
 */
export interface PhaseContext extends PhaseGates {
  readonly client: FivetranClientShape
  readonly catalog: RoleCatalog
  /** None when connections are not synced (off, or the key may not list them). */
  readonly connections: Option.Option<ReadonlyMap<string, Connection>>
  /** The sync's request slots, shared by every phase's per-item fetches. */
  readonly slots: RequestSlots
  readonly expansion: TeamExpansion
  /** group id -> the teams holding a role on it (listed or not), in team order (filled by the teams phase, read by the groups phase). */
  readonly teamsOnGroup: Map<string, Array<{ readonly teamId: string; readonly roleName: string }>>
  /** Adds a warning to the sync's summary (each message once), logging and counting it as it arises. */
  readonly warn: (warning: SyncWarning) => Effect.Effect<void>
  /** Reports a request answered (shown at most every `progressEveryMillis`): for phases that pass their rows on a page at a time. */
  readonly reportProgress: Effect.Effect<void>
  /** `role:R:assigned`, by the name of an account role `GET /v1/roles` lists (written with the role types). */
  readonly accountRoles: ReadonlyMap<string, Entitlement>
  /**
   * `role:R:assigned` for a user's or team's account role. An unlisted role raises `unknownRole`
   * (as `owners`), and its role resource and entitlement come with its first grant.
   */
  readonly accountRole: (owners: string, roleName: string) => Effect.Effect<RoleEntitlement>
  /**
   * `connection:C:<role>` for a connection membership; None, with an `unlisted_resource` warning,
   * when `GET /v1/connections` does not list the connection (with `emptyRole`'s, for an empty
   * role). An unlisted CONNECTOR role raises `unknownRole`, and its entitlement comes with its
   * first grant on that connection.
   */
  readonly connectionRole: (membership: Membership) => Effect.Effect<Option.Option<RoleEntitlement>>
  /**
   * Raised once per grant of a role the catalog lacks in that scope, one warning per kind of owner,
   * role and scope: those grants are written under an entitlement that says the role is unlisted.
   */
  readonly unknownRole: (owners: string, role: string, scope: RoleScope) => Effect.Effect<void>
  /**
   * Raised once per membership whose role is empty, one warning per kind of owner: such a role
   * names no entitlement (its id would end in `:`, which no id parser takes), so the grant is skipped.
   */
  readonly emptyRole: (owners: string) => Effect.Effect<void>
  /**
   * A per-user or per-team connection list. A 403 drops connection grants with one warning (named
   * by owner kind, not id, so concurrent refusals say it once) and stops asking the others. None
   * when the owner was deleted meanwhile (`unlessGone`).
   */
  readonly connectionList: (
    owner: "user" | "team",
    ownerId: string,
    list: Effect.Effect<ReadonlyArray<Membership>, FivetranError>
  ) => Effect.Effect<Option.Option<ReadonlyArray<Membership>>, SyncFailed>
  /** One list of a listed item, or None, with a warning naming it, when it was deleted meanwhile (GoneMeanwhile.ts). */
  readonly unlessGone: <A>(
    item: ListedItem,
    id: string,
    list: Effect.Effect<A, FivetranError>
  ) => Effect.Effect<Option.Option<A>, FivetranError>
}

/** What every phase of one sync shares: all of a phase's context but its place in the overlap (PhaseOverlap.ts). */
export type SharedPhaseContext = Omit<PhaseContext, keyof PhaseGates>

export const makePhaseContext = (
  input: SyncCatalog & {
    readonly client: FivetranClientShape
    readonly slots: RequestSlots
    readonly expansion: TeamExpansion
    readonly warn: (warning: SyncWarning) => Effect.Effect<void>
    readonly reportProgress: Effect.Effect<void>
    /** Set to false once a per-user or per-team connection list answered 403: the others are not asked. */
    readonly connectionListsAllowed: Ref.Ref<boolean>
    /** The items left out as deleted meanwhile (`unlessGone`), for the report of the rows naming them. */
    readonly gone: GoneItems
  }
): SharedPhaseContext => {
  const { catalog, warn } = input
  const connectionById = Option.getOrElse(input.connections, () => new Map<string, Connection>())
  const connectorRoles = indexBy(catalog.connector, (r) => r.name)

  const unknownRole = (owners: string, role: string, scope: RoleScope) =>
    warn({
      kind: "unknown_role",
      message: `${owners} have role "${role}", which GET /v1/roles does not list with scope ${scope}; ` +
        "those grants are written under an entitlement marked as unlisted",
      counts: "grant"
    })
  const emptyRole = (owners: string) =>
    warn({
      kind: "unknown_role",
      message: `${owners} have an empty role, which names no entitlement; those grants are skipped`,
      counts: "grant"
    })
  const warnedIfUnlisted = (owners: string, roleName: string, scope: RoleScope, held: RoleEntitlement) =>
    held.listed ? Effect.succeed(held) : Effect.as(unknownRole(owners, roleName, scope), held)

  const accountRoles = indexBy(
    catalog.account.map((role) => roleAssignedEntitlement(roleResource(role))),
    (e) => e.resource.id.resource
  )
  // An unlisted account role's resource, too, comes with its first grant: the role types wrote the listed ones.
  const accountRole = roleEntitlements(
    (name) => accountRoles.get(name),
    (name) => roleAssignedEntitlement(roleResource(unlistedRole(name, "ACCOUNT"))),
    (entitlement) => [row.resource(entitlement.resource), row.entitlement(entitlement)]
  )
  /** connection id -> its role entitlements, for the connections some membership named. */
  const connectionRoles = new Map<string, (roleName: string) => RoleEntitlement>()
  const connectionRolesOf = (connection: Connection) => {
    const known = connectionRoles.get(connection.id)
    if (known !== undefined) return known
    const resource = connectionResource(connection)
    const lookup = roleEntitlements(
      (name) => {
        const role = connectorRoles.get(name)
        return role === undefined ? undefined : connectionRoleEntitlement(resource, role)
      },
      (name) => connectionRoleEntitlement(resource, unlistedRole(name, "CONNECTOR"))
    )
    connectionRoles.set(connection.id, lookup)
    return lookup
  }

  return {
    client: input.client,
    catalog,
    connections: input.connections,
    slots: input.slots,
    expansion: input.expansion,
    teamsOnGroup: new Map(),
    warn,
    reportProgress: input.reportProgress,
    accountRoles,
    accountRole: (owners, roleName) => warnedIfUnlisted(owners, roleName, "ACCOUNT", accountRole(roleName)),
    connectionRole: (membership) => {
      if (membership.role === "") return Effect.as(emptyRole("connection memberships"), Option.none())
      const connection = connectionById.get(membership.id)
      return connection === undefined
        ? Effect.as(
          warn({
            kind: "unlisted_resource",
            message: "some connection memberships name connections GET /v1/connections does not list; those grants are skipped",
            counts: "grant"
          }),
          Option.none()
        )
        : Effect.map(
          warnedIfUnlisted("connection memberships", membership.role, "CONNECTOR", connectionRolesOf(connection)(membership.role)),
          Option.some
        )
    },
    unknownRole,
    emptyRole,
    connectionList: (owner, ownerId, list) =>
      Effect.gen(function*() {
        if (!(yield* Ref.get(input.connectionListsAllowed))) return Option.some([])
        return yield* unlessGone(warn, input.gone, owner, ownerId, list).pipe(
          Effect.catchIf(isMissingPermission, (error) =>
            Ref.set(input.connectionListsAllowed, false).pipe(
              Effect.zipRight(warn({
                kind: "missing_permission",
                message: optionalSkipped(error, `list each ${owner}'s connections`, "connection grants are skipped")
              })),
              Effect.as(Option.some([]))
            )),
          Effect.mapError(syncFailure(`list the connections of ${owner} ${ownerId}`))
        )
      }),
    unlessGone: (item, id, list) => unlessGone(warn, input.gone, item, id, list)
  }
}
