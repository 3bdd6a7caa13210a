import type { Connection, FivetranClientShape, FivetranError, Team, User } from "@baton-fivetran/fivetran-client"
import { Effect, Option, Stream } from "effect"
import type { Entitlement, Grant } from "../model/Baton.js"
import { directGrant, teamGrant } from "../model/Grants.js"
import { connectionResource, connectionRoleEntitlement } from "../resources/Connection.js"
import { groupResource, groupRoleEntitlement } from "../resources/Group.js"
import { roleAssignedEntitlement, RoleAssignedSlug, roleResource } from "../resources/Role.js"
import { findRole, type RoleCatalog } from "../resources/RoleCatalog.js"
import { teamMemberEntitlement, TeamMemberSlug, teamResource, teamRoleEntitlement } from "../resources/Team.js"
import { userResourceId } from "../resources/User.js"
import { type AccessSlot, membership, teamAccountRole, teamMembership, userAccountRole } from "./AccessSlot.js"
import { holdsAccountRole, holdsMembership, type TeamHolds, teamsGiving } from "./InheritedAccess.js"
import { type ProvisioningError, UnknownEntitlement, UnknownPrincipal } from "./ProvisioningError.js"
import { upstreamFailure } from "./UpstreamFailure.js"
import type { GrantTarget, Principal } from "./ProvisioningTarget.js"
import { requireRole } from "./RoleChecks.js"

/** The role `team:T:member` adds a user with (design.md §3). */
export const TeamMemberRole = "Team Member"

/**
 * What a grant or revoke asks of a slot: one role, or (`team:T:member`) membership with any role,
 * added as Team Member.
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
  /** The teams that give the user this entitlement; none for team principals and team entitlements. */
  readonly inheritedFrom: Effect.Effect<ReadonlyArray<string>, ProvisioningError>
}

export interface AccessContext {
  readonly client: FivetranClientShape
  readonly catalog: RoleCatalog
  /** e.g. `grant group:G:View Destination to user:U`, for messages. */
  readonly action: string
  readonly syncConnections: boolean
}

const grantTo = (principal: Principal) => (entitlement: Entitlement): Grant =>
  principal.type === "user"
    ? directGrant(entitlement, userResourceId(principal.id))
    : teamGrant(entitlement, principal.id)

type Absence = typeof UnknownEntitlement | typeof UnknownPrincipal

const missing = (Absent: Absence, what: string) => new Absent({ message: `${what} does not exist` })

/** A read of the entitlement's resource or of the principal: 404 means the request names something absent. */
const existing = <A>(context: AccessContext, read: Effect.Effect<A, FivetranError>, Absent: Absence, what: string) =>
  Effect.mapError(read, (e) => (e._tag === "NotFound" ? missing(Absent, what) : upstreamFailure(context.action)(e)))

const loadUser = (context: AccessContext, userId: string): Effect.Effect<User, ProvisioningError> =>
  existing(context, context.client.getUser(userId), UnknownPrincipal, `user ${userId}`)

const loadTeam = (context: AccessContext, teamId: string, as: Absence): Effect.Effect<Team, ProvisioningError> =>
  existing(context, context.client.getTeam(teamId), as, `team ${teamId}`)

const loadPrincipal = (context: AccessContext, principal: Principal) =>
  principal.type === "user" ? loadUser(context, principal.id) : loadTeam(context, principal.id, UnknownPrincipal)

/** The client has no lookup of one connection: list them page by page, stopping at the match. */
const loadConnection = (context: AccessContext, connectionId: string): Effect.Effect<Connection, ProvisioningError> =>
  context.client.listConnections().pipe(
    Stream.filter((connection) => connection.id === connectionId),
    Stream.runHead,
    Effect.mapError(upstreamFailure(context.action)),
    Effect.flatMap(Option.match({
      onNone: () => Effect.fail(missing(UnknownEntitlement, `connection ${connectionId}`)),
      onSome: Effect.succeed
    }))
  )

const inherited = (context: AccessContext, principal: Principal, holds: TeamHolds) =>
  principal.type === "user"
    ? Effect.mapError(teamsGiving(context.client, principal.id, holds), upstreamFailure(context.action))
    : Effect.succeed([])

/**
 * Checks, in this order and before any write: the role names against GET /v1/roles and the scope
 * the entitlement needs, that the entitlement's resource exists, that the principal exists.
 */
export const resolveAccess = (context: AccessContext, target: GrantTarget): Effect.Effect<Access, ProvisioningError> =>
  Effect.gen(function*() {
    const { catalog, client } = context
    const { entitlement, principal } = target
    const grant = grantTo(principal)
    switch (entitlement.resourceType) {
      case "role": {
        if (entitlement.slug !== RoleAssignedSlug) {
          return yield* Effect.fail(
            new UnknownEntitlement({
              message: `${entitlement.id} does not exist: role entitlements are role:<role name>:${RoleAssignedSlug}`
            })
          )
        }
        const role = yield* requireRole(catalog, "ACCOUNT", entitlement.resourceId, entitlement.id)
        const held = [grant(roleAssignedEntitlement(roleResource(role)))]
        const slot = principal.type === "user"
          ? userAccountRole(client, yield* loadUser(context, principal.id), context.action)
          : teamAccountRole(client, yield* loadTeam(context, principal.id, UnknownPrincipal), context.action)
        return {
          wanted: { _tag: "Role", role: role.name },
          slot,
          held: () => held,
          inheritedFrom: inherited(context, principal, holdsAccountRole(role.name))
        }
      }
      case "group": {
        const role = yield* requireRole(catalog, "DESTINATION", entitlement.slug, entitlement.id)
        const group = yield* existing(
          context,
          client.getGroup(entitlement.resourceId),
          UnknownEntitlement,
          `group ${entitlement.resourceId}`
        )
        yield* loadPrincipal(context, principal)
        const held = [grant(groupRoleEntitlement(groupResource(group, { syncConnections: context.syncConnections }), role))]
        const api = principal.type === "user" ? client.userGroups : client.teamGroups
        return {
          wanted: { _tag: "Role", role: role.name },
          slot: membership(api, principal.id, group.id, context.action),
          held: () => held,
          inheritedFrom: inherited(context, principal, holdsMembership(client.teamGroups, group.id, role.name))
        }
      }
      case "connection": {
        const role = yield* requireRole(catalog, "CONNECTOR", entitlement.slug, entitlement.id)
        const connection = yield* loadConnection(context, entitlement.resourceId)
        yield* loadPrincipal(context, principal)
        const held = [grant(connectionRoleEntitlement(connectionResource(connection), role))]
        const api = principal.type === "user" ? client.userConnections : client.teamConnections
        return {
          wanted: { _tag: "Role", role: role.name },
          slot: membership(api, principal.id, connection.id, context.action),
          held: () => held,
          inheritedFrom: inherited(context, principal, holdsMembership(client.teamConnections, connection.id, role.name))
        }
      }
      case "team": {
        const wanted: Wanted = entitlement.slug === TeamMemberSlug
          ? { _tag: "AnyRole", addAs: TeamMemberRole }
          : { _tag: "Role", role: (yield* requireRole(catalog, "TEAM", entitlement.slug, entitlement.id)).name }
        const team = teamResource(yield* loadTeam(context, entitlement.resourceId, UnknownEntitlement))
        yield* loadUser(context, principal.id)
        const member = grant(teamMemberEntitlement(team))
        return {
          wanted,
          slot: teamMembership(client, entitlement.resourceId, principal.id, context.action),
          held: (roleName) => {
            const role = findRole(catalog, "TEAM", roleName)
            return role === undefined ? [member] : [member, grant(teamRoleEntitlement(team, role))]
          },
          inheritedFrom: Effect.succeed([])
        }
      }
    }
  })
