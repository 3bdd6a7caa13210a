import type { Connection, Group, Role, Team, User } from "@baton-fivetran/fivetran-client"

/** Small wire objects shared by the mapping and expansion tests. */

export const role = (name: string, scope: Role["scope"], extra: Partial<Role> = {}): Role => ({
  name,
  description: `${name} description`,
  is_custom: false,
  scope,
  is_deprecated: false,
  replacement_role_name: null,
  ...extra
})

export const roles: ReadonlyArray<Role> = [
  role("Account Administrator", ["ACCOUNT"]),
  role("Account Reviewer", ["ACCOUNT"]),
  role("Manage Destination", ["DESTINATION"]),
  role("View Destination", ["DESTINATION"]),
  role("Destination Reviewer", ["DESTINATION"], { is_deprecated: true, replacement_role_name: "View Destination" }),
  role("Manage Connection", ["CONNECTOR"]),
  role("Team Manager", ["TEAM"]),
  role("Team Member", ["TEAM"]),
  role("Data Steward", ["ACCOUNT"], { is_custom: true })
]

export const user = (id: string, extra: Partial<User> = {}): User => ({
  id,
  email: `${id}@example.com`,
  given_name: "Ana",
  family_name: "Ruiz",
  verified: true,
  invited: false,
  picture: null,
  phone: null,
  role: "Account Reviewer",
  logged_in_at: "2025-02-11T07:31:09.410Z",
  created_at: "2024-11-30T16:02:44.905117Z",
  active: true,
  ...extra
})

export const group = (id: string, name: string): Group => ({ id, name, created_at: "2024-01-02T03:04:05Z" })

export const team = (id: string, name: string, teamRole: string | null = null): Team => ({
  id,
  name,
  description: `${name} team`,
  role: teamRole
})

export const connection = (id: string, groupId: string): Connection => ({
  id,
  group_id: groupId,
  service: "salesforce",
  schema: `sf_${id}`,
  connected_by: "u1",
  created_at: "2024-05-06T07:08:09Z",
  paused: false
})
