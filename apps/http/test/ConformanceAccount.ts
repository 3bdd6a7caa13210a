import { generatePreset } from "@baton-fivetran/fivetran-sandbox"

/**
 * The account OpenApiConformance's walk of the OpenAPI document calls its operations on: the small
 * preset, and the ids each operation's cases name.
 */

export const small = generatePreset("small")
/** A team, and a user who is not one of its members (a membership to grant). */
export const team = small.teams[0]!
export const member = small.users.find((user) => !small.team_users.some((row) => row.team_id === team.id && row.user_id === user.id))!
/** A user who may be deleted: not the member above, not an Account Administrator. */
export const deleted = small.users.find((user) => user.id !== member.id && user.role !== "Account Administrator")!
/** A destination membership, and its grant's id (to revoke). */
export const membership = small.user_groups[0]!
export const groupGrant = `group:${membership.group_id}:${membership.role}:user:${membership.user_id}`
