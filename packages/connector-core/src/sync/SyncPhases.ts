import type {
  Connection,
  FivetranClientShape,
  FivetranError,
  Group,
  GroupMember,
  Membership,
  Role,
  RoleScope,
  Team,
  TeamUserMembership,
  User
} from "@baton-fivetran/fivetran-client"
import { Chunk, Effect, Option, Ref, Stream } from "effect"
import type { Entitlement, SyncRow } from "../model/Baton.js"
import { derivedGrant, directGrant, teamGrant } from "../model/Grants.js"
import { entitlementId } from "../model/Ids.js"
import { connectionResource, connectionRoleEntitlement } from "../resources/Connection.js"
import { groupEntitlements, groupResource, groupResourceId } from "../resources/Group.js"
import { resourceTypes } from "../resources/ResourceTypes.js"
import { roleAssignedEntitlement, roleResource } from "../resources/Role.js"
import { makeRoleCatalog, type RoleCatalog } from "../resources/RoleCatalog.js"
import { teamMemberEntitlement, teamResource, teamRoleEntitlement } from "../resources/Team.js"
import { userResource, userResourceId } from "../resources/User.js"
import { optionalSkipped, type SyncFailed, syncFailure } from "./SyncFailure.js"
import type { TeamExpansion } from "./TeamExpansion.js"

/**
 * The rows of a sync, phase by phase (design.md §2). Each collection is listed once; the
 * per-container membership lists fan out with `Stream.mapEffect({ concurrency })`, which keeps
 * upstream order, so the output is the same whatever the concurrency.
 *   header:  resource types, account roles, connections (lists every later row needs);
 *   teams:   with their users, groups and connections: team grants, and the expansion maps;
 *   users:   account-role and user connection grants, merged with what teams give;
 *   derived: account-role and connection grants reached only through teams;
 *   groups:  with their users: direct group grants (merged), team grants, derived grants.
 * Held in memory: roles, connections, the teams' member lists and team-reached pairs
 * (TeamExpansion), and the membership lists of at most `concurrency` containers at a time.
 */

export interface PhaseContext {
  readonly client: FivetranClientShape
  readonly catalog: RoleCatalog
  /** None when connections are not synced (off, or the key may not list them). */
  readonly connections: Option.Option<ReadonlyMap<string, Connection>>
  readonly concurrency: number
  readonly expansion: TeamExpansion
  readonly warn: (message: string) => Effect.Effect<void>
  /** Set to false once a per-user or per-team connection list answered 403: the others are not asked. */
  readonly connectionListsAllowed: Ref.Ref<boolean>
}

export interface SyncPhases {
  readonly header: Stream.Stream<SyncRow>
  readonly teams: Stream.Stream<SyncRow, SyncFailed>
  readonly users: Stream.Stream<SyncRow, SyncFailed>
  readonly derived: Stream.Stream<SyncRow>
  readonly groups: Stream.Stream<SyncRow, SyncFailed>
  /** Emits nothing; warns about team memberships of groups the groups list lacks. */
  readonly unclaimed: Stream.Stream<SyncRow>
}

const row = {
  resourceType: (value: Extract<SyncRow, { _tag: "ResourceTypeRow" }>["value"]): SyncRow => ({ _tag: "ResourceTypeRow", value }),
  resource: (value: Extract<SyncRow, { _tag: "ResourceRow" }>["value"]): SyncRow => ({ _tag: "ResourceRow", value }),
  entitlement: (value: Entitlement): SyncRow => ({ _tag: "EntitlementRow", value }),
  grant: (value: Extract<SyncRow, { _tag: "GrantRow" }>["value"]): SyncRow => ({ _tag: "GrantRow", value })
}

const collect = <A>(stream: Stream.Stream<A, FivetranError>): Effect.Effect<ReadonlyArray<A>, FivetranError> =>
  Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const indexBy = <A>(items: ReadonlyArray<A>, key: (a: A) => string): ReadonlyMap<string, A> =>
  new Map(items.map((item) => [key(item), item]))

const required = (purpose: string) => <A>(stream: Stream.Stream<A, FivetranError>) =>
  Stream.mapError(stream, syncFailure(purpose))

interface TeamMemberships {
  readonly team: Team
  readonly users: ReadonlyArray<TeamUserMembership>
  readonly groups: ReadonlyArray<Membership>
  readonly connections: ReadonlyArray<Membership>
}

/**
 * The small lists every row depends on: the role catalog, and (opted in) the connections. A 403
 * on the connections list is a warning: the sync goes on without connections.
 */
export const loadCatalog = (
  client: FivetranClientShape,
  syncConnections: boolean,
  warn: (message: string) => Effect.Effect<void>
): Effect.Effect<
  { readonly catalog: RoleCatalog; readonly connections: Option.Option<ReadonlyMap<string, Connection>> },
  SyncFailed
> =>
  Effect.gen(function*() {
    const roles = yield* collect(client.listRoles).pipe(Effect.mapError(syncFailure("list roles")))
    const connections: Option.Option<ReadonlyMap<string, Connection>> = syncConnections
      ? yield* collect(client.listConnections()).pipe(
        Effect.map((all) => Option.some(indexBy(all, (c) => c.id))),
        Effect.catchTag("Forbidden", (error) =>
          warn(optionalSkipped(error, "list connections", "connections are not synced")).pipe(Effect.as(Option.none()))),
        Effect.mapError(syncFailure("list connections"))
      )
      : Option.none()
    return { catalog: makeRoleCatalog(roles), connections }
  })

export const makePhases = (context: PhaseContext): SyncPhases => {
  const { catalog, client, concurrency, expansion, warn } = context
  const syncConnections = Option.isSome(context.connections)
  const connectionById = Option.getOrElse(context.connections, () => new Map<string, Connection>())

  const unknownRole = (owners: string, role: string, scope: RoleScope) =>
    warn(`${owners} have role "${role}", which GET /v1/roles does not list with scope ${scope}; those grants are skipped`)

  /**
   * A per-user or per-team connection list. A 403 drops connection grants with one warning (named
   * by owner kind, not id, so concurrent refusals say it once) and stops asking the others.
   */
  const connectionList = (owner: "user" | "team", ownerId: string, list: Stream.Stream<Membership, FivetranError>) =>
    Effect.gen(function*() {
      if (!(yield* Ref.get(context.connectionListsAllowed))) return []
      return yield* collect(list).pipe(
        Effect.catchTag("Forbidden", (error) =>
          Ref.set(context.connectionListsAllowed, false).pipe(
            Effect.zipRight(warn(optionalSkipped(error, `list each ${owner}'s connections`, "connection grants are skipped"))),
            Effect.as([])
          )),
        Effect.mapError(syncFailure(`list the connections of ${owner} ${ownerId}`))
      )
    })

  const accountRoles = indexBy(
    catalog.account.map((role) => roleAssignedEntitlement(roleResource(role))),
    (e) => e.resource.id.resource
  )
  const destinationRoles = indexBy(catalog.destination, (r) => r.name)
  const connectorRoles = indexBy(catalog.connector, (r) => r.name)
  /** group id -> the teams holding a role on it, in team order */
  const teamsOnGroup = new Map<string, Array<{ readonly teamId: string; readonly role: Role }>>()

  const connectionEntitlement = (connectionId: string, roleName: string): Option.Option<Entitlement> => {
    const connection = connectionById.get(connectionId)
    const role = connectorRoles.get(roleName)
    return connection === undefined || role === undefined
      ? Option.none()
      : Option.some(connectionRoleEntitlement(connectionResource(connection), role))
  }

  /** Built one connection at a time, so the header never holds every connection's rows at once. */
  const header: Stream.Stream<SyncRow> = Stream.concat(
    Stream.fromIterable([
      ...resourceTypes({ syncConnections }).map(row.resourceType),
      ...Array.from(accountRoles.values()).flatMap((e) => [row.resource(e.resource), row.entitlement(e)])
    ]),
    Stream.fromIterable(connectionById.values()).pipe(Stream.mapConcat((connection) => {
      const resource = connectionResource(connection)
      return [
        row.resource(resource),
        ...catalog.connector.map((role) => row.entitlement(connectionRoleEntitlement(resource, role)))
      ]
    }))
  )

  const fetchTeam = (team: Team) =>
    Effect.gen(function*() {
      const purpose = (what: string) => `list the ${what} of team ${team.id}`
      const users = yield* collect(client.listTeamUsers(team.id)).pipe(Effect.mapError(syncFailure(purpose("users"))))
      const groups = yield* collect(client.teamGroups.list(team.id)).pipe(Effect.mapError(syncFailure(purpose("groups"))))
      const connections = syncConnections
        ? yield* connectionList("team", team.id, client.teamConnections.list(team.id))
        : []
      return { team, users, groups, connections } satisfies TeamMemberships
    })

  const teamRows = ({ connections, groups, team, users }: TeamMemberships) =>
    Effect.gen(function*() {
      const resource = teamResource(team)
      const memberEntitlement = teamMemberEntitlement(resource)
      const roleEntitlements = catalog.team.map((role) => teamRoleEntitlement(resource, role))
      const bySlug = indexBy(roleEntitlements, (e) => e.slug)
      const out: Array<SyncRow> = [
        row.resource(resource),
        row.entitlement(memberEntitlement),
        ...roleEntitlements.map(row.entitlement)
      ]
      for (const member of users) {
        const principal = userResourceId(member.user_id)
        out.push(row.grant(directGrant(memberEntitlement, principal)))
        const roleEntitlement = bySlug.get(member.role)
        if (roleEntitlement === undefined) yield* unknownRole("team members", member.role, "TEAM")
        else out.push(row.grant(directGrant(roleEntitlement, principal)))
      }
      expansion.addMembers(team.id, users.map((m) => m.user_id))
      if (team.role !== null && team.role !== "") {
        const assigned = accountRoles.get(team.role)
        if (assigned === undefined) yield* unknownRole("teams", team.role, "ACCOUNT")
        else {
          out.push(row.grant(teamGrant(assigned, team.id)))
          expansion.holds(team.id, assigned)
        }
      }
      for (const membership of groups) {
        const role = destinationRoles.get(membership.role)
        if (role === undefined) {
          yield* unknownRole("team group memberships", membership.role, "DESTINATION")
          continue
        }
        const onGroup = teamsOnGroup.get(membership.id) ?? []
        onGroup.push({ teamId: team.id, role })
        teamsOnGroup.set(membership.id, onGroup)
        expansion.holds(team.id, entitlementId(groupResourceId(membership.id), role.name))
      }
      for (const membership of connections) {
        const entitlement = connectionEntitlement(membership.id, membership.role)
        if (Option.isNone(entitlement)) {
          yield* skippedConnection(membership)
          continue
        }
        out.push(row.grant(teamGrant(entitlement.value, team.id)))
        expansion.holds(team.id, entitlement.value)
      }
      return out
    })

  const skippedConnection = (membership: Membership) =>
    connectorRoles.has(membership.role)
      ? warn("some connection memberships name connections GET /v1/connections does not list; those grants are skipped")
      : unknownRole("connection memberships", membership.role, "CONNECTOR")

  const teams = client.listTeams.pipe(
    required("list teams"),
    Stream.mapEffect(fetchTeam, { concurrency }),
    Stream.mapEffect(teamRows),
    Stream.flattenIterables
  )

  const fetchUser = (user: User) =>
    syncConnections
      ? Effect.map(
        connectionList("user", user.id, client.userConnections.list(user.id)),
        (connections) => ({ user, connections })
      )
      : Effect.succeed({ user, connections: [] as ReadonlyArray<Membership> })

  const userRows = ({ connections, user }: { readonly user: User; readonly connections: ReadonlyArray<Membership> }) =>
    Effect.gen(function*() {
      const principal = userResourceId(user.id)
      const out: Array<SyncRow> = [row.resource(userResource(user))]
      if (user.role !== null && user.role !== "") {
        const assigned = accountRoles.get(user.role)
        if (assigned === undefined) yield* unknownRole("users", user.role, "ACCOUNT")
        else out.push(row.grant(directGrant(assigned, principal, expansion.takeForDirect(assigned.id, user.id))))
      }
      for (const membership of connections) {
        const entitlement = connectionEntitlement(membership.id, membership.role)
        if (Option.isNone(entitlement)) yield* skippedConnection(membership)
        else {
          const viaTeams = expansion.takeForDirect(entitlement.value.id, user.id)
          out.push(row.grant(directGrant(entitlement.value, principal, viaTeams)))
        }
      }
      return out
    })

  const users = client.listUsers.pipe(
    required("list users"),
    Stream.mapEffect(fetchUser, { concurrency }),
    Stream.mapEffect(userRows),
    Stream.flattenIterables
  )

  /** Account-role and connection grants reached only through teams (their direct grants are all out). */
  const derived = Stream.suspend(() =>
    Stream.fromIterable(expansion.takeKnown()).pipe(
      Stream.mapConcat(({ entitlement, reaches }) =>
        reaches.map(({ teamIds, userId }) => row.grant(derivedGrant(entitlement, userId, teamIds)))
      )
    )
  )

  /**
   * Users listed with no role hold access through their account role, not a group membership:
   * no grant. The client skips them before decoding, so a group holds only its real members in memory.
   */
  const fetchGroup = (group: Group) =>
    Effect.map(
      collect(client.listGroupMembers(group.id)).pipe(Effect.mapError(syncFailure(`list the users of group ${group.id}`))),
      (members) => ({ group, members })
    )

  const groupRows = ({ group, members }: { readonly group: Group; readonly members: ReadonlyArray<GroupMember> }) =>
    Effect.gen(function*() {
      const resource = groupResource(group, { syncConnections })
      const entitlements = groupEntitlements(resource, catalog)
      const bySlug = indexBy(entitlements, (e) => e.slug)
      const out: Array<SyncRow> = [row.resource(resource), ...entitlements.map(row.entitlement)]
      for (const member of members) {
        const entitlement = bySlug.get(member.role)
        if (entitlement === undefined) {
          yield* unknownRole("group members", member.role, "DESTINATION")
          continue
        }
        const viaTeams = expansion.takeForDirect(entitlement.id, member.id)
        out.push(row.grant(directGrant(entitlement, userResourceId(member.id), viaTeams)))
      }
      // Teams holding a role here (the role is DESTINATION-scoped, so the group offers it).
      const held = (teamsOnGroup.get(group.id) ?? []).flatMap(({ role, teamId }) => {
        const entitlement = bySlug.get(role.name)
        return entitlement === undefined ? [] : [{ entitlement, teamId }]
      })
      for (const { entitlement, teamId } of held) out.push(row.grant(teamGrant(entitlement, teamId)))
      for (const entitlement of new Set(held.map(({ entitlement }) => entitlement))) {
        for (const { teamIds, userId } of expansion.takeRemaining(entitlement.id)) {
          out.push(row.grant(derivedGrant(entitlement, userId, teamIds)))
        }
      }
      return out
    })

  const groups = client.listGroups.pipe(
    required("list groups"),
    Stream.mapEffect(fetchGroup, { concurrency }),
    Stream.mapEffect(groupRows),
    Stream.flattenIterables
  )

  /** Team memberships of groups the groups list lacks cannot become rows; say so once. */
  const unclaimed = Stream.execute(Effect.suspend(() =>
    expansion.unclaimed().length === 0
      ? Effect.void
      : warn("some team group memberships name groups GET /v1/groups does not list; those grants are skipped")
  ))

  return { header, teams, users, derived, groups, unclaimed }
}
