import type {
  Connection,
  FivetranClientShape,
  FivetranError,
  Group,
  Membership,
  Role,
  RoleScope,
  Team,
  TeamUserMembership,
  User
} from "@baton-fivetran/fivetran-client"
import { Chunk, Clock, Effect, Option, Ref, Stream } from "effect"
import type { Entitlement, SyncRow } from "../model/Baton.js"
import { derivedGrant, directGrant, teamGrant } from "../model/Grants.js"
import { entitlementId } from "../model/Ids.js"
import { SyncSink } from "../model/SyncSink.js"
import { connectionResource, connectionRoleEntitlement } from "../resources/Connection.js"
import { groupEntitlements, groupResource, groupResourceId } from "../resources/Group.js"
import { resourceTypes } from "../resources/ResourceTypes.js"
import { roleAssignedEntitlement, roleResource } from "../resources/Role.js"
import { makeRoleCatalog, type RoleCatalog } from "../resources/RoleCatalog.js"
import { teamMemberEntitlement, teamResource, teamRoleEntitlement } from "../resources/Team.js"
import { userResource, userResourceId } from "../resources/User.js"
import { type SyncOptions, type SyncSummary, SyncFailed } from "./SyncEngine.js"
import { optionalSkipped, syncFailure } from "./SyncFailure.js"
import { addRows, emptyTally, tallyResources } from "./SyncTally.js"
import { TeamExpansion } from "./TeamExpansion.js"

/**
 * One sync as a stream (design.md §2, §4): each collection is listed once, the per-container
 * membership lists fan out with bounded, order-preserving concurrency, and rows reach the sink as
 * they are produced. Phases:
 *   1. roles (and, opted in, connections): small lists every later row needs, kept in memory;
 *   2. resource types, roles, connections;
 *   3. teams with their users, groups and connections: team grants, and the expansion maps;
 *   4. users: account-role grants and user connection grants, merged with what teams give;
 *   5. derived account-role and connection grants no direct grant claimed;
 *   6. groups with their users: direct group grants (merged), team grants, derived grants.
 * Held in memory: roles, connections, the teams' member lists and the team-reached pairs
 * (TeamExpansion), and the membership lists of at most `concurrency` containers at a time.
 */

const row = {
  resourceType: (value: Extract<SyncRow, { _tag: "ResourceTypeRow" }>["value"]): SyncRow => ({ _tag: "ResourceTypeRow", value }),
  resource: (value: Extract<SyncRow, { _tag: "ResourceRow" }>["value"]): SyncRow => ({ _tag: "ResourceRow", value }),
  entitlement: (value: Entitlement): SyncRow => ({ _tag: "EntitlementRow", value }),
  grant: (value: Extract<SyncRow, { _tag: "GrantRow" }>["value"]): SyncRow => ({ _tag: "GrantRow", value })
}

const collect = <A>(stream: Stream.Stream<A, FivetranError>): Effect.Effect<ReadonlyArray<A>, FivetranError> =>
  Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const byName = <A>(items: ReadonlyArray<A>, key: (a: A) => string): ReadonlyMap<string, A> =>
  new Map(items.map((item) => [key(item), item]))

interface TeamMemberships {
  readonly team: Team
  readonly users: ReadonlyArray<TeamUserMembership>
  readonly groups: ReadonlyArray<Membership>
  readonly connections: ReadonlyArray<Membership>
}

export const runSync = (
  client: FivetranClientShape,
  options: SyncOptions
): Effect.Effect<SyncSummary, SyncFailed, SyncSink> =>
  Effect.gen(function*() {
    const sink = yield* SyncSink
    const startedAt = yield* Clock.currentTimeMillis
    const before = yield* client.metrics
    const concurrency = Math.max(1, Math.floor(options.concurrency))
    const warnings = yield* Ref.make<ReadonlyArray<string>>([])
    const tally = yield* Ref.make(emptyTally)
    const phase = yield* Ref.make("roles")
    const reported = yield* Ref.make({ phase: "", requests: -1 })
    /** False once a per-user or per-team connection list answered 403: the others are not asked. */
    const connectionListsAllowed = yield* Ref.make(true)
    const expansion = new TeamExpansion()

    const warn = (message: string) =>
      Ref.update(warnings, (all) => (all.includes(message) ? all : [...all, message]))

    const unknownRole = (owners: string, role: string, scope: RoleScope) =>
      warn(`${owners} have role "${role}", which GET /v1/roles does not list with scope ${scope}; those grants are skipped`)

    const report = Effect.gen(function*() {
      if (options.onProgress === undefined) return
      const now = yield* Ref.get(phase)
      const { requests } = yield* client.metrics
      const last = yield* Ref.get(reported)
      if (now === last.phase && requests - before.requests === last.requests) return
      yield* Ref.set(reported, { phase: now, requests: requests - before.requests })
      const counts = yield* Ref.get(tally)
      yield* options.onProgress({
        phase: now,
        resources: tallyResources(counts),
        entitlements: counts.entitlements,
        grants: counts.directGrants + counts.derivedGrants,
        requests: requests - before.requests
      })
    })

    const enter = (name: string) => Stream.execute(Ref.set(phase, name).pipe(Effect.zipRight(report)))

    const required = (purpose: string) => <A>(stream: Stream.Stream<A, FivetranError>) =>
      Stream.mapError(stream, syncFailure(purpose))

    /** A per-user or per-team connection list: a 403 drops connection grants with a warning. */
    const connectionList = (list: Stream.Stream<Membership, FivetranError>, purpose: string) =>
      Effect.gen(function*() {
        if (!(yield* Ref.get(connectionListsAllowed))) return []
        return yield* collect(list).pipe(
          Effect.catchTag("Forbidden", (error) =>
            Ref.set(connectionListsAllowed, false).pipe(
              Effect.zipRight(warn(optionalSkipped(error, purpose, "connection grants are skipped"))),
              Effect.as([])
            )),
          Effect.mapError(syncFailure(purpose))
        )
      })

    const rows = Stream.unwrap(Effect.gen(function*() {
      const roles = yield* collect(client.listRoles).pipe(Effect.mapError(syncFailure("list roles")))
      const catalog = makeRoleCatalog(roles)
      const connections: Option.Option<ReadonlyMap<string, Connection>> = options.syncConnections
        ? yield* Ref.set(phase, "connections").pipe(
          Effect.zipRight(collect(client.listConnections())),
          Effect.map((all) => Option.some(byName(all, (c) => c.id))),
          Effect.catchTag("Forbidden", (error) =>
            warn(optionalSkipped(error, "list connections", "connections are not synced")).pipe(Effect.as(Option.none()))),
          Effect.mapError(syncFailure("list connections"))
        )
        : Option.none()
      const syncConnections = Option.isSome(connections)
      const phases = makePhases({ catalog, connections, syncConnections })
      return Stream.concat(
        enter("resource types").pipe(Stream.concat(Stream.fromIterable(phases.header))),
        Stream.concat(
          enter("teams").pipe(Stream.concat(phases.teams)),
          Stream.concat(
            enter("users").pipe(Stream.concat(phases.users)),
            Stream.concat(
              enter("derived grants").pipe(Stream.concat(phases.derived)),
              enter("groups").pipe(Stream.concat(phases.groups), Stream.concat(phases.unclaimed))
            )
          )
        )
      )
    }))

    function makePhases(context: {
      readonly catalog: RoleCatalog
      readonly connections: Option.Option<ReadonlyMap<string, Connection>>
      readonly syncConnections: boolean
    }) {
      const { catalog, syncConnections } = context
      const connectionById = Option.getOrElse(context.connections, () => new Map<string, Connection>())
      const accountRoles = byName(
        catalog.account.map((role) => roleAssignedEntitlement(roleResource(role))),
        (e) => e.resource.id.resource
      )
      const destinationRoles = byName(catalog.destination, (r) => r.name)
      const connectorRoles = byName(catalog.connector, (r) => r.name)
      /** group id -> the teams holding a role on it, in team order */
      const teamsOnGroup = new Map<string, Array<{ readonly teamId: string; readonly role: Role }>>()

      const connectionEntitlement = (connectionId: string, roleName: string): Option.Option<Entitlement> => {
        const connection = connectionById.get(connectionId)
        const role = connectorRoles.get(roleName)
        return connection === undefined || role === undefined
          ? Option.none()
          : Option.some(connectionRoleEntitlement(connectionResource(connection), role))
      }

      const header: ReadonlyArray<SyncRow> = [
        ...resourceTypes({ syncConnections }).map(row.resourceType),
        ...Array.from(accountRoles.values()).flatMap((e) => [row.resource(e.resource), row.entitlement(e)]),
        ...Array.from(connectionById.values()).flatMap((connection) => {
          const resource = connectionResource(connection)
          return [
            row.resource(resource),
            ...catalog.connector.map((role) => row.entitlement(connectionRoleEntitlement(resource, role)))
          ]
        })
      ]

      const fetchTeam = (team: Team) =>
        Effect.gen(function*() {
          const purpose = (what: string) => `list the ${what} of team ${team.id}`
          const users = yield* collect(client.listTeamUsers(team.id)).pipe(Effect.mapError(syncFailure(purpose("users"))))
          const groups = yield* collect(client.teamGroups.list(team.id)).pipe(Effect.mapError(syncFailure(purpose("groups"))))
          const connections = syncConnections
            ? yield* connectionList(client.teamConnections.list(team.id), purpose("connections"))
            : []
          return { team, users, groups, connections } satisfies TeamMemberships
        })

      const teamRows = ({ connections, groups, team, users }: TeamMemberships) =>
        Effect.gen(function*() {
          const resource = teamResource(team)
          const memberEntitlement = teamMemberEntitlement(resource)
          const roleEntitlements = catalog.team.map((role) => teamRoleEntitlement(resource, role))
          const bySlug = byName(roleEntitlements, (e) => e.slug)
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
            connectionList(client.userConnections.list(user.id), `list the connections of user ${user.id}`),
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
        Stream.fromIterable(expansion.takeKnown().flatMap(({ entitlement, reaches }) =>
          reaches.map(({ teamIds, userId }) => row.grant(derivedGrant(entitlement, userId, teamIds)))
        ))
      )

      const fetchGroup = (group: Group) =>
        Effect.map(
          collect(client.listGroupUsers(group.id)).pipe(Effect.mapError(syncFailure(`list the users of group ${group.id}`))),
          (users) => ({ group, users })
        )

      const groupRows = ({ group, users }: { readonly group: Group; readonly users: ReadonlyArray<User> }) =>
        Effect.gen(function*() {
          const resource = groupResource(group, { syncConnections })
          const entitlements = groupEntitlements(resource, catalog)
          const bySlug = byName(entitlements, (e) => e.slug)
          const out: Array<SyncRow> = [row.resource(resource), ...entitlements.map(row.entitlement)]
          for (const member of users) {
            // Users listed with no role hold access through their account role, not a group membership.
            if (member.role === null || member.role === "") continue
            const entitlement = bySlug.get(member.role)
            if (entitlement === undefined) {
              yield* unknownRole("group members", member.role, "DESTINATION")
              continue
            }
            const viaTeams = expansion.takeForDirect(entitlement.id, member.id)
            out.push(row.grant(directGrant(entitlement, userResourceId(member.id), viaTeams)))
          }
          const holders = teamsOnGroup.get(group.id) ?? []
          for (const { role, teamId } of holders) out.push(row.grant(teamGrant(bySlug.get(role.name)!, teamId)))
          for (const slug of new Set(holders.map(({ role }) => role.name))) {
            const entitlement = bySlug.get(slug)!
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

    const recorded = rows.pipe(
      Stream.mapChunksEffect((chunk) =>
        Ref.update(tally, (counts) => addRows(counts, chunk)).pipe(Effect.zipRight(report), Effect.as(chunk))
      )
    )

    yield* sink.write(recorded).pipe(
      Effect.catchTag("SinkError", (error) => Effect.fail(new SyncFailed({ reason: error.message, cause: error })))
    )
    yield* Ref.set(phase, "done").pipe(Effect.zipRight(report))

    const after = yield* client.metrics
    const counts = yield* Ref.get(tally)
    const finishedAt = yield* Clock.currentTimeMillis
    return {
      resources: counts.resources,
      resourceTypes: counts.resourceTypes,
      entitlements: counts.entitlements,
      grants: { direct: counts.directGrants, derived: counts.derivedGrants },
      requests: after.requests - before.requests,
      retries: after.retries - before.retries,
      rateLimitWaitMillis: after.waitedMillis - before.waitedMillis,
      warnings: yield* Ref.get(warnings),
      durationMillis: finishedAt - startedAt
    } satisfies SyncSummary
  })
