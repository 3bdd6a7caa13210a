import { Effect, Option, Stream } from "effect"
import { echoed } from "@baton-fivetran/fivetran-client"
import type { Access, AccessContext } from "../provisioning/Access.js"
import { disabledUser, grantTo, inherited, loadPrincipal, loadTeam, loadUser, readTogether } from "../provisioning/Access.js"
import { teamAccountRole, userAccountRole } from "../provisioning/AccessSlot.js"
import type { GrantTarget } from "../provisioning/GrantTarget.js"
import { holdsAccountRole } from "../provisioning/InheritedAccess.js"
import { type ProvisioningError, UnknownEntitlement, UnknownPrincipal } from "../provisioning/ProvisioningError.js"
import { requireRole, roleToResolve } from "../provisioning/RoleChecks.js"
import type { ResourceTypeModule } from "../registry/ResourceTypeModule.js"
import { entitlementId } from "../model/Ids.js"
import { deprecationOf } from "../resources/RoleCatalog.js"
import { roleAssignedEntitlement, RoleAssignedSlug, roleResource, roleResourceId, RoleResourceType } from "../resources/Role.js"
import { row } from "../sync/SyncRows.js"

/** `role:R:assigned` for a user sets the user's account role; for a team, the team's. */
const resolve = (context: AccessContext, target: GrantTarget): Effect.Effect<Access, ProvisioningError> =>
  Effect.gen(function*() {
    const { entitlement, principal } = target
    if (entitlement.slug !== RoleAssignedSlug) {
      return yield* Effect.fail(
        new UnknownEntitlement({
          message: `${echoed(entitlement.id)} does not exist: role entitlements are role:<role name>:${RoleAssignedSlug}`
        })
      )
    }
    const [role, [slot, principalDisabled]] = yield* readTogether([
      roleToResolve(
        context.revoking,
        "ACCOUNT",
        entitlement.resourceId,
        context.catalog,
        (catalog) => requireRole(catalog, "ACCOUNT", entitlement.resourceId, entitlement.id),
        Effect.map(loadPrincipal(context, principal), (loaded) => Option.fromNullable(loaded.role))
      ),
      principal.type === "user"
        ? Effect.map(loadUser(context, principal.id), (user) =>
          [userAccountRole(context.client, user, context.action), disabledUser(user)] as const)
        : Effect.map(
          loadTeam(context, principal.id, UnknownPrincipal),
          (team) =>
            [teamAccountRole(context.client, team, context.action), false] as const
        )
    ])
    const held = [grantTo(principal)(roleAssignedEntitlement(roleResource(role)))]
    return {
      wanted: { _tag: "Role", role: role.name },
      slot,
      held: () => held,
      entitlementIdFor: (other) => entitlementId(roleResourceId(other), RoleAssignedSlug),
      inheritedFrom: inherited(context, principal, holdsAccountRole(role.name)),
      principalDisabled,
      deprecated: deprecationOf(role)
    }
  })

/**
 * Account roles (GET /v1/roles, scope ACCOUNT), each offering `assigned`. Listed in the header:
 * users and teams carry their account role, so their phases grant it.
 */
export const RoleType: ResourceTypeModule = {
  type: RoleResourceType,
  capabilities: ["CAPABILITY_SYNC", "CAPABILITY_PROVISION"],
  sync: {
    typeIn: () => Option.some(RoleResourceType),
    phase: "resource types",
    rows: (context) =>
      Stream.fromIterable(
        Array.from(context.accountRoles.values()).flatMap((e) => [row.resource(e.resource), row.entitlement(e)])
      )
  },
  grants: { grantableTo: ["user", "team"], resourceIdsMayContainColons: true, resolve }
}
