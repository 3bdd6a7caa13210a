import type { Permission } from "../src/state/AccountSnapshot.js"
import type { AccountSnapshot } from "../src/state/AccountSnapshot.js"
import { standardRoles } from "../src/state/StandardRoles.js"

/**
 * A small hand-built account whose every value the tests can state exactly.
 * Users: an administrator, a reviewer, a member-only user (no account role), and a pending
 * invitation without role or memberships.
 */

const user = (
  id: string,
  email: string,
  given_name: string,
  family_name: string,
  role: string | null,
  created_at: string
) => ({
  id,
  email,
  given_name,
  family_name,
  verified: true,
  invited: false,
  picture: null,
  phone: null,
  role,
  logged_in_at: "2025-02-11T07:31:09.410Z",
  created_at,
  active: true,
  user_type: "REGULAR_USER" as const
})

const allManage = (["ACCOUNT", "USER", "ROLES", "TEAM", "DESTINATION", "CONNECTOR"] as const).map(
  (resource_type): Permission => ({ resource_type, access_level: "MANAGE" })
)

export const keys = {
  admin: { key: "key_admin", secret: "secret_admin" },
  reviewer: { key: "key_reviewer", secret: "secret_reviewer" },
  noRole: { key: "key_norole", secret: "secret_norole" },
  system: { key: "key_system", secret: "secret_system" },
  systemNoTeam: { key: "key_system_noteam", secret: "secret_system_noteam" }
} as const

export const fixture: AccountSnapshot = {
  account: { account_id: "lunar_meadow", account_name: "Acme Data" },
  roles: [
    ...standardRoles,
    {
      name: "Billing Auditor",
      description: "Custom account role",
      is_custom: true,
      scope: ["ACCOUNT"],
      is_deprecated: false,
      replacement_role_name: null
    }
  ],
  users: [
    user("quiet_harbor", "ana.ruiz@acme.test", "Ana", "Ruiz", "Account Administrator", "2024-01-10T09:00:00.000001Z"),
    user("bright_otter", "ben.ito@acme.test", "Ben", "Ito", "Account Reviewer", "2024-02-10T09:00:00.000002Z"),
    user("calm_willow", "carla.diaz@acme.test", "Carla", "Diaz", null, "2024-03-10T09:00:00.000003Z"),
    {
      ...user("dapper_heron", "dev.shah@acme.test", "Dev", "Shah", null, "2024-04-10T09:00:00.000004Z"),
      verified: false,
      invited: true,
      logged_in_at: null
    }
  ],
  groups: [
    { id: "amber_falcon", name: "Warehouse_EU", created_at: "2024-01-11T10:00:00.000000Z" },
    { id: "golden_ridge", name: "Warehouse_US", created_at: "2024-01-12T10:00:00.000000Z" }
  ],
  teams: [
    { id: "noble_quill", name: "Data Platform", description: "Owns the warehouses", role: "Account Reviewer" },
    { id: "misty_fjord", name: "Analysts", description: null, role: null }
  ],
  connections: [
    {
      id: "keen_raven",
      group_id: "amber_falcon",
      service: "salesforce",
      schema: "salesforce_eu",
      connected_by: "quiet_harbor",
      created_at: "2024-01-13T10:00:00.000000Z",
      paused: false,
      status: { setup_state: "connected", sync_state: "scheduled" }
    },
    {
      id: "open_delta",
      group_id: "golden_ridge",
      service: "hubspot",
      schema: "hubspot_us",
      connected_by: "quiet_harbor",
      created_at: "2024-01-14T10:00:00.000000Z",
      paused: true,
      status: { setup_state: "connected", sync_state: "paused" }
    }
  ],
  user_groups: [
    { user_id: "bright_otter", group_id: "amber_falcon", role: "Manage Destination", created_at: "2024-05-01T00:00:00.000000Z" },
    { user_id: "calm_willow", group_id: "amber_falcon", role: "View Destination", created_at: "2024-05-02T00:00:00.000000Z" }
  ],
  user_connections: [
    { user_id: "calm_willow", connection_id: "keen_raven", role: "Edit Connection", created_at: "2024-05-03T00:00:00.000000Z" }
  ],
  team_users: [
    { team_id: "noble_quill", user_id: "calm_willow", role: "Team Member", created_at: "2024-05-04T00:00:00.000000Z" },
    { team_id: "noble_quill", user_id: "bright_otter", role: "Team Manager", created_at: "2024-05-05T00:00:00.000000Z" }
  ],
  team_groups: [
    { team_id: "noble_quill", group_id: "golden_ridge", role: "Edit Destination", created_at: "2024-05-06T00:00:00.000000Z" }
  ],
  team_connections: [
    { team_id: "noble_quill", connection_id: "open_delta", role: "View Connection", created_at: "2024-05-07T00:00:00.000000Z" }
  ],
  credentials: [
    { _tag: "UserKey", ...keys.admin, user_id: "quiet_harbor" },
    { _tag: "UserKey", ...keys.reviewer, user_id: "bright_otter" },
    { _tag: "UserKey", ...keys.noRole, user_id: "calm_willow" },
    { _tag: "SystemKey", ...keys.system, system_key_id: "system_one", permissions: allManage },
    {
      _tag: "SystemKey",
      ...keys.systemNoTeam,
      system_key_id: "system_two",
      permissions: allManage.filter((p) => p.resource_type !== "TEAM")
    }
  ]
}
