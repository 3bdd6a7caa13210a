import { echoed, type FivetranClientShape, quotedEchoed, type Role, type RoleScope } from "@baton-fivetran/fivetran-client"
import { Chunk, Effect, Option, Stream } from "effect"
import { hiddenCharacterIn } from "../model/Ids.js"
import {
  deprecationOf,
  type EntitledRole,
  findRole,
  makeRoleCatalog,
  type RoleCatalog,
  rolesOfScope,
  unlistedRole
} from "../resources/RoleCatalog.js"
import { nearestRoleName } from "./NearestRole.js"
import { type ProvisioningError, UnknownRole, WrongScope } from "./ProvisioningError.js"
import { upstreamFailure } from "./UpstreamFailure.js"

/** The account's roles, read fresh for every request (GET /v1/roles, never a hard-coded table). */
export const loadRoleCatalog = (client: FivetranClientShape, action: string): Effect.Effect<RoleCatalog, ProvisioningError> =>
  Stream.runCollect(client.listRoles).pipe(
    Effect.map((roles) => makeRoleCatalog(Chunk.toReadonlyArray(roles))),
    Effect.mapError(upstreamFailure(action))
  )

/** A name that prints as a valid one but holds a character the message does not show: which. */
const hiddenNote = (name: string): string => {
  const hidden = hiddenCharacterIn(name)
  return hidden === undefined ? "" : ` (it contains ${hidden}, which the quotes above do not show)`
}

const scopes: ReadonlyArray<RoleScope> = ["ACCOUNT", "DESTINATION", "CONNECTOR", "TEAM"]

/** Case and runs of spaces aside: how a name typed from memory ("account reviewer") differs from the role's. */
const loosely = (name: string): string => name.trim().replace(/\s+/g, " ").toLowerCase()

/**
 * The role of the scope the name means, written otherwise (case, spaces) or mistyped ("Acount
 * Reviewer", NearestRole.ts): roles are matched exactly, as Fivetran does, so the refusal names it
 * rather than leave the admin to spot it in the list.
 */
const meantNote = (catalog: RoleCatalog, scope: RoleScope, name: string): string => {
  const meant = meantRole(catalog, scope, name)
  if (meant === undefined) return ""
  return meant.writtenOtherwise
    ? `; did you mean "${meant.name}"? (role names are matched exactly, case included)`
    : `; did you mean "${meant.name}"?`
}

/** The listed role of `scope` that `name` is written otherwise or mistyped from, if one is. */
const meantRole = (
  catalog: RoleCatalog,
  scope: RoleScope,
  name: string
): { readonly name: string; readonly writtenOtherwise: boolean } | undefined => {
  const names = rolesOfScope(catalog, scope).map((role) => role.name)
  const written = names.find((role) => loosely(role) === loosely(name))
  if (written !== undefined) return { name: written, writtenOtherwise: true }
  const mistyped = nearestRoleName(name, names, loosely)
  return mistyped === undefined ? undefined : { name: mistyped, writtenOtherwise: false }
}

/**
 * The roles a refusal offers: current ones first, then those Fivetran has deprecated, set apart so
 * that an admin choosing from the list is not steered to a legacy name (both are still granted).
 */
const validRoles = (roles: ReadonlyArray<Role>): string => {
  const named = (some: ReadonlyArray<Role>) => some.map((role) => `"${role.name}"`).join(", ")
  const deprecated = roles.filter((role) => deprecationOf(role) !== undefined)
  const current = roles.filter((role) => deprecationOf(role) === undefined)
  if (deprecated.length === 0) return named(current)
  return `${current.length === 0 ? "none current" : named(current)} (deprecated, still taken: ${named(deprecated)})`
}

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
  wrongScope: typeof WrongScope | typeof UnknownRole = WrongScope,
  /** What else the slug may be, named after the roles (a team's `member`). */
  alsoValid?: string
): Effect.Effect<Role, ProvisioningError> => {
  const role = findRole(catalog, scope, name)
  if (role !== undefined) return Effect.succeed(role)
  const valid = `valid ${scope} roles: ${validRoles(rolesOfScope(catalog, scope))}${alsoValid === undefined ? "" : `; ${alsoValid}`}`
  const elsewhere = [
    ...scopes.filter((other) => findRole(catalog, other, name) !== undefined),
    // A role only of scopes Fivetran added exists all the same: its refusal names them, quoted.
    ...catalog.unmapped.filter((role) => role.name === name).flatMap((role) => role.scope.map(quotedEchoed))
  ]
  return Effect.fail(
    elsewhere.length === 0
      ? new UnknownRole({
        message: `${echoed(context)}: "${echoed(name)}" is not a role of this account${hiddenNote(name)}${
          meantNote(catalog, scope, name)
        }; ${valid}`
      })
      : new wrongScope({
        message: `${echoed(context)}: "${echoed(name)}" has scope ${
          elsewhere.join(", ")
        }, but this needs a role of scope ${scope}; ${valid}`
      })
  )
}

/**
 * The role a grant or revoke names, checked by `check` (requireRole with its arguments). A revoke
 * may also name a role `GET /v1/roles` does not list for the scope (a legacy or since-removed role,
 * which the sync writes under an entitlement marked unlisted): removing it needs only the name
 * Fivetran holds, and it is the access a review most wants gone. Such a name goes on to the revoke,
 * which removes it where the principal holds it and otherwise says it is already revoked, as for a
 * listed role (a repeat, or another role held there). Refused as before unless the principal holds
 * exactly that role (`held`, read only then): a name that is a listed role written otherwise or
 * mistyped ("View Destinaton": that is the revoke meant), or a role of another scope.
 */
export const roleToResolve = (
  revoking: boolean,
  scope: RoleScope,
  name: string,
  catalog: Effect.Effect<RoleCatalog, ProvisioningError>,
  check: (catalog: RoleCatalog) => Effect.Effect<Role, ProvisioningError>,
  held: Effect.Effect<Option.Option<string>, ProvisioningError>
): Effect.Effect<EntitledRole, ProvisioningError> =>
  Effect.flatMap(catalog, (roles) =>
    revoking
      ? Effect.catchIf(
        check(roles),
        (refusal) => refusal._tag === "UnknownRole" || refusal._tag === "WrongScope",
        (refusal) =>
          refusal._tag === "UnknownRole" && meantRole(roles, scope, name) === undefined
            ? Effect.succeed(unlistedRole(name, scope))
            : Effect.flatMap(
              held,
              (current) => Option.contains(current, name) ? Effect.succeed(unlistedRole(name, scope)) : Effect.fail(refusal)
            )
      )
      : check(roles))
