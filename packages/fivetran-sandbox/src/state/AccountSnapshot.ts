import { Connection, Group, Role, Team, User } from "@baton-fivetran/fivetran-client"
import { Schema } from "effect"

/**
 * A whole sandbox account as JSON: what the generator writes, what the sandbox loads, and what a
 * test pins. Entities use the client's wire schemas; memberships are stored once, by ids, and every
 * view of the API (e.g. /groups/G/users and /users/U/groups) is derived from them.
 */

const MembershipRow = <K extends string, T extends string>(owner: K, target: T) =>
  Schema.Struct(
    {
      [owner]: Schema.String,
      [target]: Schema.String,
      role: Schema.String,
      created_at: Schema.String
    } as { [P in K | T]: typeof Schema.String } & { role: typeof Schema.String; created_at: typeof Schema.String }
  )

export const UserGroupRow = MembershipRow("user_id", "group_id")
export const UserConnectionRow = MembershipRow("user_id", "connection_id")
export const TeamUserRow = MembershipRow("team_id", "user_id")
export const TeamGroupRow = MembershipRow("team_id", "group_id")
export const TeamConnectionRow = MembershipRow("team_id", "connection_id")

export const Permission = Schema.Struct({
  resource_type: Schema.Literal("ACCOUNT", "USER", "ROLES", "TEAM", "DESTINATION", "CONNECTOR"),
  access_level: Schema.Literal("NONE", "READ", "MANAGE")
})
export type Permission = typeof Permission.Type

/** A user key acts with its owner's account role; a system key with its permission list (docs/fivetran-api.md §8). */
export const Credential = Schema.Union(
  Schema.TaggedStruct("UserKey", { key: Schema.String, secret: Schema.String, user_id: Schema.String }),
  Schema.TaggedStruct("SystemKey", {
    key: Schema.String,
    secret: Schema.String,
    system_key_id: Schema.String,
    permissions: Schema.Array(Permission)
  })
)
export type Credential = typeof Credential.Type

export const AccountSnapshot = Schema.Struct({
  account: Schema.Struct({ account_id: Schema.String, account_name: Schema.String }),
  /** The role catalog: standard roles of every scope plus custom ones. */
  roles: Schema.Array(Role),
  users: Schema.Array(User),
  groups: Schema.Array(Group),
  teams: Schema.Array(Team),
  connections: Schema.Array(Connection),
  user_groups: Schema.Array(UserGroupRow),
  user_connections: Schema.Array(UserConnectionRow),
  team_users: Schema.Array(TeamUserRow),
  team_groups: Schema.Array(TeamGroupRow),
  team_connections: Schema.Array(TeamConnectionRow),
  credentials: Schema.Array(Credential)
})
export type AccountSnapshot = typeof AccountSnapshot.Type
