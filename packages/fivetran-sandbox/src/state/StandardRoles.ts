import type { Role, RoleScope } from "@baton-fivetran/fivetran-client"

/**
 * The standard (non-custom) roles of a Fivetran account, as `GET /v1/roles` lists them
 * (docs/fivetran-api.md §6.1). The older names are still answered, flagged deprecated and pointing
 * at their replacement; the exact pairing upstream is UNCONFIRMED, this is the sandbox's choice.
 */

const current = (name: string, scope: RoleScope, description: string): Role => ({
  name,
  description,
  is_custom: false,
  scope: [scope],
  is_deprecated: false,
  replacement_role_name: null
})

const deprecated = (name: string, scope: RoleScope, replacement: string): Role => ({
  name,
  description: `Deprecated: use ${replacement} instead.`,
  is_custom: false,
  scope: [scope],
  is_deprecated: true,
  replacement_role_name: replacement
})

export const standardRoles: ReadonlyArray<Role> = [
  current("Account Administrator", "ACCOUNT", "Full control of the account: users, roles, billing, destinations and connections."),
  current("Account Billing", "ACCOUNT", "Manages billing and usage; read-only access to everything else."),
  current("Account Analyst", "ACCOUNT", "Views the account, destinations and connections, and their data usage."),
  current("Account Reviewer", "ACCOUNT", "Read-only view of the account, its destinations and connections."),
  current("Destination Creator", "ACCOUNT", "Creates destinations and manages the destinations they create."),
  current("Manage Destination", "DESTINATION", "Full control of the destination, its connections and its members."),
  current("Edit Destination", "DESTINATION", "Edits the destination and its connections; cannot manage members."),
  current("View Destination", "DESTINATION", "Read-only view of the destination and its connections."),
  current("Create Connection", "DESTINATION", "Creates connections in the destination and manages those it creates."),
  deprecated("Destination Administrator", "DESTINATION", "Manage Destination"),
  deprecated("Destination Reviewer", "DESTINATION", "View Destination"),
  deprecated("Destination Analyst", "DESTINATION", "Edit Destination"),
  deprecated("Connector Creator", "DESTINATION", "Create Connection"),
  current("Manage Connection", "CONNECTOR", "Full control of the connection and its members."),
  current("Edit Connection", "CONNECTOR", "Edits the connection's setup, schema and schedule."),
  current("View Connection", "CONNECTOR", "Read-only view of the connection and its sync history."),
  deprecated("Connector Administrator", "CONNECTOR", "Manage Connection"),
  deprecated("Connector Collaborator", "CONNECTOR", "Edit Connection"),
  deprecated("Connector Reviewer", "CONNECTOR", "View Connection"),
  current("Team Manager", "TEAM", "Manages the team's members and settings."),
  current("Team Member", "TEAM", "Member of the team; holds the team's access.")
]
