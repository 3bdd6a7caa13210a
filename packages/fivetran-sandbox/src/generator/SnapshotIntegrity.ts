import type { RoleScope } from "@baton-fivetran/fivetran-client"
import type { AccountSnapshot } from "../state/AccountSnapshot.js"

/** The first place where a snapshot contradicts itself, as a field path and what is wrong there. */
export interface IntegrityViolation {
  readonly field: string
  readonly detail: string
}

type MembershipTable = "user_groups" | "user_connections" | "team_users" | "team_groups" | "team_connections"

/** Who each membership table links, and which role scope its `role` must have. */
const membershipTables: ReadonlyArray<
  readonly [table: MembershipTable, owner: string, ownerKind: Kind, target: string, targetKind: Kind, scope: RoleScope]
> = [
  ["user_groups", "user_id", "users", "group_id", "groups", "DESTINATION"],
  ["user_connections", "user_id", "users", "connection_id", "connections", "CONNECTOR"],
  ["team_users", "team_id", "teams", "user_id", "users", "TEAM"],
  ["team_groups", "team_id", "teams", "group_id", "groups", "DESTINATION"],
  ["team_connections", "team_id", "teams", "connection_id", "connections", "CONNECTOR"]
]

type Kind = "users" | "groups" | "teams" | "connections"

/**
 * Checks what the schema cannot: unique ids, emails and role names; memberships and connections
 * pointing at entities that exist; every role name known to the catalog with the right scope;
 * at most one role per member of a container; user keys owned by existing users.
 */
export const findIntegrityViolation = (snapshot: AccountSnapshot): IntegrityViolation | undefined => {
  const roleScopes = new Map<string, ReadonlyArray<string>>()
  for (const [index, role] of snapshot.roles.entries()) {
    if (roleScopes.has(role.name)) return { field: `roles[${index}].name`, detail: `duplicate role name "${role.name}"` }
    roleScopes.set(role.name, role.scope)
  }
  const checkRole = (field: string, name: string, scope: RoleScope): IntegrityViolation | undefined => {
    const scopes = roleScopes.get(name)
    if (scopes === undefined) return { field, detail: `unknown role "${name}"` }
    if (!scopes.includes(scope)) return { field, detail: `role "${name}" has scope ${scopes.join(", ")}, not ${scope}` }
    return undefined
  }

  const idOwner = new Map<string, string>()
  const ids: Record<Kind, Set<string>> = { users: new Set(), groups: new Set(), teams: new Set(), connections: new Set() }
  for (const kind of ["users", "groups", "teams", "connections"] as const) {
    for (const [index, entity] of snapshot[kind].entries()) {
      const field = `${kind}[${index}].id`
      const previous = idOwner.get(entity.id)
      if (previous !== undefined) return { field, detail: `duplicate id "${entity.id}" (also ${previous})` }
      idOwner.set(entity.id, field)
      ids[kind].add(entity.id)
    }
  }

  const emails = new Set<string>()
  for (const [index, user] of snapshot.users.entries()) {
    // "" is a service account without an email (the client's User reads a null or absent one so).
    if (user.email !== "" && emails.has(user.email)) {
      return { field: `users[${index}].email`, detail: `duplicate email "${user.email}"` }
    }
    emails.add(user.email)
    const violation = user.role === null ? undefined : checkRole(`users[${index}].role`, user.role, "ACCOUNT")
    if (violation !== undefined) return violation
  }
  for (const [index, team] of snapshot.teams.entries()) {
    const violation = team.role === null ? undefined : checkRole(`teams[${index}].role`, team.role, "ACCOUNT")
    if (violation !== undefined) return violation
  }
  for (const [index, connection] of snapshot.connections.entries()) {
    if (!ids.groups.has(connection.group_id)) {
      return { field: `connections[${index}].group_id`, detail: `no group "${connection.group_id}"` }
    }
  }

  for (const [table, owner, ownerKind, target, targetKind, scope] of membershipTables) {
    const pairs = new Set<string>()
    const rows: ReadonlyArray<Readonly<Record<string, string>>> = snapshot[table]
    for (const [index, row] of rows.entries()) {
      const at = (key: string) => `${table}[${index}].${key}`
      if (!ids[ownerKind].has(row[owner]!)) return { field: at(owner), detail: `no ${ownerKind.slice(0, -1)} "${row[owner]}"` }
      if (!ids[targetKind].has(row[target]!)) return { field: at(target), detail: `no ${targetKind.slice(0, -1)} "${row[target]}"` }
      const pair = `${row[owner]}\u0000${row[target]}`
      if (pairs.has(pair)) return { field: at(target), detail: `second membership of "${row[owner]}" in "${row[target]}"` }
      pairs.add(pair)
      const violation = checkRole(at("role"), row["role"]!, scope)
      if (violation !== undefined) return violation
    }
  }

  for (const [index, credential] of snapshot.credentials.entries()) {
    if (credential._tag === "UserKey" && !ids.users.has(credential.user_id)) {
      return { field: `credentials[${index}].user_id`, detail: `no user "${credential.user_id}"` }
    }
  }
  return undefined
}
