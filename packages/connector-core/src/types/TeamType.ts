import type { FivetranError, Membership, Team, TeamUserMembership } from "@baton-fivetran/fivetran-client"
import { Effect, Option, Stream } from "effect"
import type { SyncRow } from "../model/Baton.js"
import { directGrant, teamGrant } from "../model/Grants.js"
import { entitlementId } from "../model/Ids.js"
import type { Access, AccessContext, Wanted } from "../provisioning/Access.js"
import { disabledUser, grantTo, loadTeam, loadUser, readTogether } from "../provisioning/Access.js"
import { alreadyRead, teamMembership } from "../provisioning/AccessSlot.js"
import { ContainerAbsent, type ResolveError } from "../provisioning/ContainerAbsent.js"
import { WrongScope } from "../provisioning/ProvisioningError.js"
import type { GrantTarget } from "../provisioning/GrantTarget.js"
import { requireRole, roleToResolve } from "../provisioning/RoleChecks.js"
import type { ResourceTypeModule } from "../registry/ResourceTypeModule.js"
import { groupResourceId } from "../resources/Group.js"
import { deprecationOf, unlistedRole } from "../resources/RoleCatalog.js"
import {
  teamMemberEntitlement,
  TeamMemberSlug,
  teamResource,
  TeamResourceType,
  teamRoleEntitlement,
  teamRoleEntitlementRoles
} from "../resources/Team.js"
import { userResourceId } from "../resources/User.js"
import { rowsPerPage } from "../sync/PageRows.js"
import type { PhaseContext } from "../sync/PhaseContext.js"
import { roleEntitlements } from "../sync/RoleEntitlements.js"
import type { SyncFailed } from "../sync/SyncFailure.js"
import { syncFailure } from "../sync/SyncFailure.js"
import { indexBy, required, row } from "../sync/SyncRows.js"

/** The role `team:T:member` adds a user with (docs/architecture.md §3). */
export const TeamMemberRole = "Team Member"

interface TeamMemberships {
  readonly team: Team
  readonly users: ReadonlyArray<TeamUserMembership>
  readonly groups: ReadonlyArray<Membership>
  readonly connections: ReadonlyArray<Membership>
}

/**
 * The teams phase, first of the membership phases: each team with its member and role grants,
 * its account-role and connection grants, and what team expansion needs later (the members, the
 * entitlements each team holds, the teams holding a role on each group).
 */
const teamRows = (context: PhaseContext): Stream.Stream<SyncRow, SyncFailed> => {
  const { catalog, client, expansion } = context
  const syncConnections = Option.isSome(context.connections)
  const destinationRoles = indexBy(catalog.destination, (r) => r.name)

  /** None when the team was deleted while the sync read it: then it is left out, with its grants. */
  const fetchTeam = (team: Team) =>
    Effect.gen(function*() {
      const purpose = (what: string) => `list the ${what} of team ${team.id}`
      const listed = <A>(what: string, list: Effect.Effect<A, FivetranError>) =>
        context.unlessGone("team", team.id, list).pipe(Effect.mapError(syncFailure(purpose(what))))
      const users = yield* listed("users", client.listTeamUsersAll(team.id))
      if (Option.isNone(users)) return Option.none()
      const groups = yield* listed("groups", client.teamGroups.listAll(team.id))
      if (Option.isNone(groups)) return Option.none()
      const connections = syncConnections
        ? yield* context.connectionList("team", team.id, client.teamConnections.listAll(team.id))
        : Option.some([])
      if (Option.isNone(connections)) return Option.none()
      return Option.some<TeamMemberships>({ team, users: users.value, groups: groups.value, connections: connections.value })
    })

  const rowsOf = (fetched: Option.Option<TeamMemberships>) =>
    Effect.gen(function*() {
      if (Option.isNone(fetched)) return []
      const { connections, groups, team, users } = fetched.value
      const resource = teamResource(team)
      const memberEntitlement = teamMemberEntitlement(resource)
      const listedEntitlements = teamRoleEntitlementRoles(catalog).map((role) => teamRoleEntitlement(resource, role))
      const bySlug = indexBy(listedEntitlements, (e) => e.slug)
      const teamRole = roleEntitlements(
        (name) => bySlug.get(name),
        (name) => teamRoleEntitlement(resource, unlistedRole(name, "TEAM"))
      )
      const out: Array<SyncRow> = [
        row.resource(resource),
        row.entitlement(memberEntitlement),
        ...listedEntitlements.map(row.entitlement)
      ]
      for (const member of users) {
        const principal = userResourceId(member.user_id)
        out.push(row.grant(directGrant(memberEntitlement, principal)))
        // A role named `member`, listed or not, would take the membership's id: its holders stay members.
        if (member.role === TeamMemberSlug) {
          yield* context.warn({
            kind: "reserved_role_name",
            message:
              `TEAM role "${TeamMemberSlug}" would have the id of each team's membership entitlement (team:<id>:${TeamMemberSlug}), ` +
              "which keeps it: its holders show as team members only; rename the role in Fivetran to review it"
          })
          continue
        }
        if (member.role === "") {
          yield* context.emptyRole("team members")
          continue
        }
        const { entitlement, listed, rows } = teamRole(member.role)
        if (!listed) yield* context.unknownRole("team members", member.role, "TEAM")
        out.push(...rows, row.grant(directGrant(entitlement, principal)))
      }
      expansion.addMembers(team.id, users.map((m) => m.user_id))
      if (team.role !== null && team.role !== "") {
        const { entitlement, rows } = yield* context.accountRole("teams", team.role)
        out.push(...rows, row.grant(teamGrant(entitlement, team.id)))
        expansion.holds(team.id, entitlement)
      }
      // The group's entitlements and these grants are written with the group, in the groups phase.
      for (const membership of groups) {
        if (membership.role === "") {
          yield* context.emptyRole("team group memberships")
          continue
        }
        if (!destinationRoles.has(membership.role)) {
          yield* context.unknownRole("team group memberships", membership.role, "DESTINATION")
        }
        const onGroup = context.teamsOnGroup.get(membership.id) ?? []
        onGroup.push({ teamId: team.id, roleName: membership.role })
        context.teamsOnGroup.set(membership.id, onGroup)
        expansion.holds(team.id, entitlementId(groupResourceId(membership.id), membership.role))
      }
      for (const membership of connections) {
        const held = yield* context.connectionRole(membership)
        if (Option.isSome(held)) {
          const { entitlement, rows } = held.value
          out.push(...rows, row.grant(teamGrant(entitlement, team.id)))
          expansion.holds(team.id, entitlement)
        }
      }
      return out
    })

  return client.listTeams.pipe(
    required("list teams"),
    rowsPerPage(context, { fetch: fetchTeam, rowsOf })
  )
}

/** `team:T:member` adds the user as Team Member (any role counts); `team:T:<role>` sets that TEAM role. */
const resolve = (context: AccessContext, target: GrantTarget): Effect.Effect<Access, ResolveError> =>
  Effect.gen(function*() {
    const { entitlement, principal } = target
    const grant = grantTo(principal)
    const slot = teamMembership(context.client, entitlement.resourceId, principal.id, context.action)
    const [catalog, asked, loaded, user, current] = yield* readTogether([
      context.catalog,
      entitlement.slug === TeamMemberSlug
        ? Effect.succeed(undefined)
        : roleToResolve(
          context.revoking,
          "TEAM",
          entitlement.slug,
          context.catalog,
          (catalog) =>
            requireRole(
              catalog,
              "TEAM",
              entitlement.slug,
              entitlement.id,
              WrongScope,
              `or "${TeamMemberSlug}" (a member with any team role, added as ${TeamMemberRole})`
            ),
          slot.current
        ),
      loadTeam(context, entitlement.resourceId, ContainerAbsent),
      loadUser(context, principal.id),
      slot.current
    ])
    const wanted: Wanted = asked === undefined ? { _tag: "AnyRole", addAs: TeamMemberRole } : { _tag: "Role", role: asked.name }
    const team = teamResource(loaded)
    const member = grant(teamMemberEntitlement(team))
    return {
      wanted,
      slot: alreadyRead(slot, current),
      // As the sync writes them: a role no entitlement of its own but the membership's (`member`), a
      // role GET /v1/roles does not list under an entitlement marked unlisted.
      held: (roleName) => {
        if (roleName === TeamMemberSlug) return [member]
        const role = teamRoleEntitlementRoles(catalog).find((r) => r.name === roleName) ?? unlistedRole(roleName, "TEAM")
        return [member, grant(teamRoleEntitlement(team, role))]
      },
      entitlementIdFor: (other) => entitlementId(team.id, other),
      inheritedFrom: Effect.succeed([]),
      principalDisabled: disabledUser(user),
      deprecated: asked === undefined ? undefined : deprecationOf(asked)
    }
  })

/** Teams: a membership entitlement and one per TEAM role. Teams do not nest: users only. */
export const TeamType: ResourceTypeModule = {
  type: TeamResourceType,
  capabilities: ["CAPABILITY_SYNC", "CAPABILITY_PROVISION"],
  sync: { typeIn: () => Option.some(TeamResourceType), phase: "teams", rows: teamRows },
  grants: { grantableTo: ["user"], resolve }
}
