import { echoed, type Group, type GroupMember } from "@baton-fivetran/fivetran-client"
import { Effect, Option, Stream } from "effect"
import type { SyncRow } from "../model/Baton.js"
import { derivedGrant, directGrant, teamGrant } from "../model/Grants.js"
import { entitlementId } from "../model/Ids.js"
import type { Access, AccessContext } from "../provisioning/Access.js"
import { containerRoleAccess, containerSlot, disabledUser, existing, loadPrincipal, readTogether } from "../provisioning/Access.js"
import { alreadyRead } from "../provisioning/AccessSlot.js"
import type { GrantTarget } from "../provisioning/GrantTarget.js"
import { ContainerAbsent, type ResolveError } from "../provisioning/ContainerAbsent.js"
import { requireRole, roleToResolve } from "../provisioning/RoleChecks.js"
import type { ResourceTypeModule } from "../registry/ResourceTypeModule.js"
import {
  groupEntitlements,
  groupResource,
  groupResourceId,
  groupResourceType,
  GroupResourceType,
  groupRoleEntitlement
} from "../resources/Group.js"
import { unlistedRole } from "../resources/RoleCatalog.js"
import { userResourceId } from "../resources/User.js"
import { fetchesInOrder } from "../sync/FetchesInOrder.js"
import type { PhaseContext } from "../sync/PhaseContext.js"
import { roleEntitlements } from "../sync/RoleEntitlements.js"
import { type SyncFailed, syncFailure } from "../sync/SyncFailure.js"
import { indexBy, required, row } from "../sync/SyncRows.js"

/**
 * The groups phase, last: each group, its member grants, the grants of the teams holding a role
 * on it (recorded by the teams phase) and the grants its members reach only through those teams.
 */
const groupRows = (context: PhaseContext): Stream.Stream<SyncRow, SyncFailed> => {
  const { catalog, client, expansion } = context
  const syncConnections = Option.isSome(context.connections)

  /**
   * Users listed with no role hold access through their account role, not a group membership:
   * no grant. The client skips them before decoding, so a group holds only its real members in memory.
   */
  const fetchGroup = (group: Group) =>
    Effect.map(
      context.unlessGone("group", group.id, client.listGroupMembersAll(group.id)).pipe(
        Effect.mapError(syncFailure(`list the users of group ${group.id}`))
      ),
      (members) => ({ group, members })
    )

  /** A group deleted while the sync read it (members None) is left out, with the grants teams held on it. */
  const rowsOf = ({ group, members: listed }: { readonly group: Group; readonly members: Option.Option<ReadonlyArray<GroupMember>> }) =>
    Effect.gen(function*() {
      if (Option.isNone(listed)) {
        for (const { roleName } of context.teamsOnGroup.get(group.id) ?? []) {
          expansion.takeRemaining(entitlementId(groupResourceId(group.id), roleName))
        }
        return []
      }
      const members = listed.value
      const resource = groupResource(group, { syncConnections })
      const entitlements = groupEntitlements(resource, catalog)
      const bySlug = indexBy(entitlements, (e) => e.slug)
      const groupRole = roleEntitlements(
        (name) => bySlug.get(name),
        (name) => groupRoleEntitlement(resource, unlistedRole(name, "DESTINATION"))
      )
      const out: Array<SyncRow> = [row.resource(resource), ...entitlements.map(row.entitlement)]
      for (const member of members) {
        const { entitlement, listed, rows } = groupRole(member.role)
        if (!listed) yield* context.unknownRole("group members", member.role, "DESTINATION")
        const viaTeams = expansion.takeForDirect(entitlement.id, member.id)
        out.push(...rows, row.grant(directGrant(entitlement, userResourceId(member.id), viaTeams)))
      }
      // Teams holding a role here (the teams phase warned of those GET /v1/roles does not list).
      const held = (context.teamsOnGroup.get(group.id) ?? []).map(({ roleName, teamId }) => ({ ...groupRole(roleName), teamId }))
      for (const { entitlement, rows, teamId } of held) out.push(...rows, row.grant(teamGrant(entitlement, teamId)))
      for (const entitlement of new Set(held.map(({ entitlement }) => entitlement))) {
        for (const { teamIds, userId } of expansion.takeRemaining(entitlement.id)) {
          out.push(row.grant(derivedGrant(entitlement, userId, teamIds)))
        }
      }
      return out
    })

  /** Team memberships of groups the groups list lacks cannot become rows; say so once. */
  const unclaimed = Stream.execute(Effect.suspend(() =>
    expansion.unclaimed().length === 0
      ? Effect.void
      : context.warn({
        kind: "unlisted_resource",
        message: "some team group memberships name groups GET /v1/groups does not list; those grants are skipped"
      })
  ))

  return client.listGroups.pipe(
    required("list groups"),
    fetchesInOrder(fetchGroup, context.slots),
    Stream.concat(Stream.execute(context.fetchesDone)),
    Stream.mapEffect((fetched) => Effect.zipRight(context.rowsAfter, rowsOf(fetched))),
    Stream.flattenIterables,
    Stream.concat(unclaimed)
  )
}

/** `group:G:<role>`: the principal's membership of the group, with that DESTINATION role. */
const resolve = (context: AccessContext, target: GrantTarget): Effect.Effect<Access, ResolveError> =>
  Effect.gen(function*() {
    const { client } = context
    const { entitlement, principal } = target
    const container = { id: entitlement.resourceId, userApi: client.userGroups, teamApi: client.teamGroups }
    const slot = containerSlot(context, principal, container)
    const [role, group, loaded, current] = yield* readTogether([
      roleToResolve(
        context.revoking,
        "DESTINATION",
        entitlement.slug,
        context.catalog,
        (catalog) => requireRole(catalog, "DESTINATION", entitlement.slug, entitlement.id),
        slot.current
      ),
      existing(context, client.getGroup(entitlement.resourceId), ContainerAbsent, `group ${echoed(entitlement.resourceId)}`),
      loadPrincipal(context, principal),
      slot.current
    ])
    return containerRoleAccess(
      context,
      principal,
      container,
      alreadyRead(slot, current),
      role,
      groupRoleEntitlement(groupResource(group, { syncConnections: context.syncConnections }), role),
      disabledUser(loaded)
    )
  })

/** Destination groups, each offering its DESTINATION roles; parents of connections when those are synced. */
export const GroupType: ResourceTypeModule = {
  type: GroupResourceType,
  capabilities: ["CAPABILITY_SYNC", "CAPABILITY_PROVISION"],
  sync: { typeIn: (options) => Option.some(groupResourceType(options)), phase: "groups", rows: groupRows },
  grants: { grantableTo: ["user", "team"], resolve }
}
