import { isRoleScope, type Role, type RoleScope } from "@baton-fivetran/fivetran-client"

/**
 * The roles of `GET /v1/roles`, split by scope. Every role entitlement is derived from this list
 * (never from a hard-coded table); a role whose `scope` names several scopes appears in each.
 * Within a scope, roles keep the API's order.
 */
export interface RoleCatalog {
  readonly account: ReadonlyArray<Role>
  readonly destination: ReadonlyArray<Role>
  readonly connector: ReadonlyArray<Role>
  readonly team: ReadonlyArray<Role>
  /**
   * The roles whose every scope is one Fivetran added since this connector was written: in no list
   * above (a sync skips them, UnknownValues.ts), kept so that a refusal naming one says its scope.
   */
  readonly unmapped: ReadonlyArray<Role>
}

export const makeRoleCatalog = (roles: Iterable<Role>): RoleCatalog => {
  const all = Array.from(roles)
  const ofScope = (scope: RoleScope) => all.filter((role) => role.scope.includes(scope))
  return {
    account: ofScope("ACCOUNT"),
    destination: ofScope("DESTINATION"),
    connector: ofScope("CONNECTOR"),
    team: ofScope("TEAM"),
    unmapped: all.filter((role) => role.scope.length > 0 && !role.scope.some(isRoleScope))
  }
}

export const rolesOfScope = (catalog: RoleCatalog, scope: RoleScope): ReadonlyArray<Role> => {
  switch (scope) {
    case "ACCOUNT":
      return catalog.account
    case "DESTINATION":
      return catalog.destination
    case "CONNECTOR":
      return catalog.connector
    case "TEAM":
      return catalog.team
  }
}

/** The role of that name in that scope, if `GET /v1/roles` lists one. */
export const findRole = (catalog: RoleCatalog, scope: RoleScope, name: string): Role | undefined =>
  rolesOfScope(catalog, scope).find((role) => role.name === name)

/**
 * A role a membership names that `GET /v1/roles` does not list in that scope: a legacy role
 * (docs/fivetran-api.md, roles) or one removed since the list was read. The access is Fivetran's
 * all the same, so the sync writes it under an entitlement of its own, whose description says so.
 */
export interface UnlistedRole {
  readonly _tag: "UnlistedRole"
  readonly name: string
  readonly scope: RoleScope
}

export const unlistedRole = (name: string, scope: RoleScope): UnlistedRole => ({ _tag: "UnlistedRole", name, scope })

/** A role an entitlement is for: one `GET /v1/roles` lists, or one only a membership names. */
export type EntitledRole = Role | UnlistedRole

/** A role Fivetran has deprecated, and the one it names to use instead (none when it names none). */
export interface DeprecatedRole {
  readonly name: string
  readonly replacement: string | undefined
}

/** Whether `role` is deprecated (`is_deprecated`), with its replacement; an unlisted role is not known to be. */
export const deprecationOf = (role: EntitledRole): DeprecatedRole | undefined =>
  "_tag" in role || role.is_deprecated !== true ? undefined : {
    name: role.name,
    replacement: role.replacement_role_name === null || role.replacement_role_name === "" ? undefined : role.replacement_role_name
  }

/**
 * The role's description. An unlisted role's says where it comes from and that provisioning cannot
 * grant it. A deprecated role says so and names its replacement, once: a description that already
 * says it ("Deprecated: use View Destination instead.") is not told again.
 */
export const roleDescription = (role: EntitledRole): string => {
  if ("_tag" in role) {
    return `Not listed by GET /v1/roles with scope ${role.scope}: a legacy or since-removed role, held in Fivetran; ` +
      "it cannot be granted through provisioning"
  }
  const deprecated = deprecationOf(role)
  if (deprecated === undefined) return role.description
  const replacement = deprecated.replacement
  const saysDeprecated = /\bdeprecated\b/i.test(role.description)
  if (saysDeprecated && (replacement === undefined || role.description.includes(replacement))) return role.description
  const note = replacement === undefined
    ? "Deprecated."
    : saysDeprecated
    ? `Replaced by "${replacement}".`
    : `Deprecated: replaced by "${replacement}".`
  return role.description === "" ? note : `${role.description} ${note}`
}
