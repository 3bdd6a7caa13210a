import { echoed, type FivetranClientShape, type Role, type RoleScope } from "@baton-fivetran/fivetran-client"
import { Chunk, Effect, Stream } from "effect"
import { findRole, makeRoleCatalog, type RoleCatalog, rolesOfScope } from "../resources/RoleCatalog.js"
import { type ProvisioningError, UnknownRole, WrongScope } from "./ProvisioningError.js"
import { upstreamFailure } from "./UpstreamFailure.js"

/** The account's roles, read fresh for every request (GET /v1/roles, never a hard-coded table). */
export const loadRoleCatalog = (client: FivetranClientShape, action: string): Effect.Effect<RoleCatalog, ProvisioningError> =>
  Stream.runCollect(client.listRoles).pipe(
    Effect.map((roles) => makeRoleCatalog(Chunk.toReadonlyArray(roles))),
    Effect.mapError(upstreamFailure(action))
  )

const scopes: ReadonlyArray<RoleScope> = ["ACCOUNT", "DESTINATION", "CONNECTOR", "TEAM"]

/**
 * The role called `name` with `scope`, or a refusal naming the valid roles of that scope:
 * UnknownRole when no role has that name, `wrongScope` (WrongScope unless told otherwise) when
 * it is a role of another scope.
 */
export const requireRole = (
  catalog: RoleCatalog,
  scope: RoleScope,
  name: string,
  context: string,
  wrongScope: typeof WrongScope | typeof UnknownRole = WrongScope
): Effect.Effect<Role, ProvisioningError> => {
  const role = findRole(catalog, scope, name)
  if (role !== undefined) return Effect.succeed(role)
  const valid = `valid ${scope} roles: ${rolesOfScope(catalog, scope).map((r) => `"${r.name}"`).join(", ")}`
  const elsewhere = scopes.filter((other) => findRole(catalog, other, name) !== undefined)
  return Effect.fail(
    elsewhere.length === 0
      ? new UnknownRole({ message: `${echoed(context)}: "${echoed(name)}" is not a role of this account; ${valid}` })
      : new wrongScope({
        message: `${echoed(context)}: "${echoed(name)}" has scope ${
          elsewhere.join(", ")
        }, but this needs a role of scope ${scope}; ${valid}`
      })
  )
}
