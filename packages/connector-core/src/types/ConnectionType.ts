import { type Connection, echoed } from "@baton-fivetran/fivetran-client"
import { Effect, Option, Stream } from "effect"
import type { Access, AccessContext } from "../provisioning/Access.js"
import { containerRoleAccess, containerSlot, disabledUser, loadPrincipal, missing, readTogether } from "../provisioning/Access.js"
import { alreadyRead } from "../provisioning/AccessSlot.js"
import { ContainerAbsent, type ResolveError } from "../provisioning/ContainerAbsent.js"
import type { GrantTarget } from "../provisioning/GrantTarget.js"
import type { ProvisioningError } from "../provisioning/ProvisioningError.js"
import { requireRole, roleToResolve } from "../provisioning/RoleChecks.js"
import { upstreamFailure } from "../provisioning/UpstreamFailure.js"
import type { ResourceTypeModule } from "../registry/ResourceTypeModule.js"
import { connectionResource, ConnectionResourceType, connectionRoleEntitlement } from "../resources/Connection.js"
import { row } from "../sync/SyncRows.js"

/** The client has no lookup of one connection: list them page by page, stopping at the match. */
const loadConnection = (context: AccessContext, connectionId: string): Effect.Effect<Connection, ProvisioningError | ContainerAbsent> =>
  context.client.listConnections().pipe(
    Stream.filter((connection) => connection.id === connectionId),
    Stream.runHead,
    Effect.mapError(upstreamFailure(context.action)),
    Effect.flatMap(Option.match({
      onNone: () => Effect.fail(missing(ContainerAbsent, `connection ${echoed(connectionId)}`)),
      onSome: Effect.succeed
    }))
  )

/** `connection:C:<role>`: the principal's membership of the connection, with that CONNECTOR role. */
const resolve = (context: AccessContext, target: GrantTarget): Effect.Effect<Access, ResolveError> =>
  Effect.gen(function*() {
    const { client } = context
    const { entitlement, principal } = target
    const container = { id: entitlement.resourceId, userApi: client.userConnections, teamApi: client.teamConnections }
    const slot = containerSlot(context, principal, container)
    const [role, connection, loaded, current] = yield* readTogether([
      roleToResolve(
        context.revoking,
        "CONNECTOR",
        entitlement.slug,
        context.catalog,
        (catalog) => requireRole(catalog, "CONNECTOR", entitlement.slug, entitlement.id),
        slot.current
      ),
      loadConnection(context, entitlement.resourceId),
      loadPrincipal(context, principal),
      slot.current
    ])
    return containerRoleAccess(
      context,
      principal,
      container,
      alreadyRead(slot, current),
      role,
      connectionRoleEntitlement(connectionResource(connection), role),
      disabledUser(loaded)
    )
  })

/**
 * Connections (opt-in), each offering its CONNECTOR roles. Listed in the header, one connection
 * at a time: their grants come from the per-user and per-team connection lists.
 */
export const ConnectionType: ResourceTypeModule = {
  type: ConnectionResourceType,
  capabilities: ["CAPABILITY_SYNC", "CAPABILITY_PROVISION"],
  sync: {
    typeIn: (options) => options.syncConnections ? Option.some(ConnectionResourceType) : Option.none(),
    phase: "resource types",
    // A hundred connections' rows at a time: all of them at once were ~20,000 rows alive together.
    rows: (context) =>
      Stream.fromIteratorSucceed(
        Option.match(context.connections, { onNone: () => [].values(), onSome: (all) => all.values() }),
        100
      ).pipe(
        Stream.mapConcat((connection) => {
          const resource = connectionResource(connection)
          return [
            row.resource(resource),
            ...context.catalog.connector.map((role) => row.entitlement(connectionRoleEntitlement(resource, role)))
          ]
        })
      )
  },
  grants: { grantableTo: ["user", "team"], resolve }
}
