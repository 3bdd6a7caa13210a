import type { AccountSnapshot } from "@baton-fivetran/fivetran-sandbox"

/**
 * A generated account with the cases the presets never hold, spread over many memberships so they
 * meet team expansion: roles `GET /v1/roles` leaves out (one of each scope, a deprecated one, a
 * custom account role), roles it never listed that only teams hold (so no user's grant brings their
 * entitlement), a custom role with a `:` in its name, one listed in every scope, a TEAM role named
 * `member`, empty roles, and a team with no members. Every n-th row of a table gets the twist, so
 * it is deterministic.
 */

const customRole = (name: string, scope: AccountSnapshot["roles"][number]["scope"]): AccountSnapshot["roles"][number] => ({
  name,
  description: "Custom role of the twisted account.",
  is_custom: true,
  scope,
  is_deprecated: false,
  replacement_role_name: null
})

/** Roles left out of the catalog while memberships keep naming them. */
export const unlistedRoles = ["Team Manager", "Destination Analyst", "Manage Connection", "Account Billing"]

export const colonRole = "Ops: EU Reader"
export const everywhereRole = "Steward Everywhere"
/** Roles no catalog lists and only teams hold, one per scope a team can hold. */
export const teamOnlyRoles = { account: "Legacy Owner", destination: "Legacy Loader", connection: "Legacy Syncer" }

const every = <A>(rows: ReadonlyArray<A>, n: number, twist: (row: A) => A): Array<A> =>
  rows.map((row, index) => index % n === n - 1 ? twist(row) : row)

export const twistedAccount = (account: AccountSnapshot): AccountSnapshot => ({
  ...account,
  roles: [
    ...account.roles.filter((role) => !unlistedRoles.includes(role.name)),
    customRole(colonRole, ["DESTINATION"]),
    customRole(everywhereRole, ["ACCOUNT", "DESTINATION", "CONNECTOR", "TEAM"]),
    customRole("member", ["TEAM"])
  ],
  users: every(account.users, 13, (user) => ({ ...user, role: everywhereRole })),
  teams: every(
    every(account.teams, 4, (team) => ({ ...team, role: team.role === null ? "" : everywhereRole })),
    7,
    (team) => ({ ...team, role: teamOnlyRoles.account })
  ),
  user_groups: every(every(account.user_groups, 7, (row) => ({ ...row, role: colonRole })), 17, (row) => ({ ...row, role: "" })),
  team_groups: every(
    every(every(account.team_groups, 5, (row) => ({ ...row, role: colonRole })), 6, (row) => ({ ...row, role: everywhereRole })),
    8,
    (row) => ({ ...row, role: teamOnlyRoles.destination })
  ),
  team_users: every(
    every(every(account.team_users, 9, (row) => ({ ...row, role: "member" })), 23, (row) => ({ ...row, role: "" })),
    10,
    (row) => ({ ...row, role: everywhereRole })
  ).filter((row) => row.team_id !== account.teams[0]?.id),
  user_connections: every(account.user_connections, 11, (row) => ({ ...row, role: everywhereRole })),
  team_connections: every(
    every(account.team_connections, 6, (row) => ({ ...row, role: "" })),
    5,
    (row) => ({ ...row, role: teamOnlyRoles.connection })
  )
})
