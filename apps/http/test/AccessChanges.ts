import { compareKeys } from "@baton-fivetran/connector-core"
import type { AccountSnapshot } from "@baton-fivetran/fivetran-sandbox"

/**
 * Picks, from a generated account, the facts the access-review tests check: a user who inherits a
 * destination role through a team, and a grant to make between two syncs whose effect is known
 * exactly (written from docs/architecture.md §2, apart from the code under test).
 */

const destinationRoles = (snapshot: AccountSnapshot) =>
  snapshot.roles.filter((role) => role.scope.includes("DESTINATION") && !role.is_deprecated).map((role) => role.name)

const membersOf = (snapshot: AccountSnapshot, teamId: string) =>
  snapshot.team_users.filter((row) => row.team_id === teamId).map((row) => row.user_id)

/** A user's display name: given and family name, else the email, else the id. */
const personName = (snapshot: AccountSnapshot, userId: string) => {
  const user = snapshot.users.find((candidate) => candidate.id === userId)!
  return `${user.given_name} ${user.family_name}`.trim() || user.email || user.id
}

/** A user's status as a review names it: a suspended user is disabled, invited or not; an active one invited while the invitation is pending. */
const userStatus = (snapshot: AccountSnapshot, userId: string) => {
  const user = snapshot.users.find((candidate) => candidate.id === userId)!
  return !user.active ? "disabled" : user.invited ? "invited" : "enabled"
}

/** A team member holding a group role through that team only (not directly). */
export const inheritedGrant = (snapshot: AccountSnapshot) => {
  for (const held of snapshot.team_groups) {
    for (const userId of membersOf(snapshot, held.team_id)) {
      const direct = snapshot.user_groups.some((row) => row.user_id === userId && row.group_id === held.group_id)
      if (!direct) {
        return {
          user: snapshot.users.find((user) => user.id === userId)!,
          team: snapshot.teams.find((team) => team.id === held.team_id)!,
          group: snapshot.groups.find((group) => group.id === held.group_id)!,
          role: held.role
        }
      }
    }
  }
  throw new Error("the account has no team-inherited group role")
}

/**
 * A team with members, a group it has no role on and a role none of its members holds there, so
 * granting it adds exactly the team's grant and one derived grant per member.
 */
export const teamGrantToMake = (snapshot: AccountSnapshot) => {
  for (const team of snapshot.teams) {
    const members = membersOf(snapshot, team.id)
    if (members.length === 0) continue
    for (const group of snapshot.groups) {
      if (snapshot.team_groups.some((row) => row.team_id === team.id && row.group_id === group.id)) continue
      for (const role of destinationRoles(snapshot)) {
        const holders = new Set([
          ...snapshot.user_groups.filter((row) => row.group_id === group.id && row.role === role).map((row) => row.user_id),
          ...snapshot.team_groups.filter((row) => row.group_id === group.id && row.role === role)
            .flatMap((row) => membersOf(snapshot, row.team_id))
        ])
        if (members.some((member) => holders.has(member))) continue
        const entitlementId = `group:${group.id}:${role}`
        const entitlementName = `${role} on ${group.name}`
        return {
          team,
          entitlementId,
          /**
           * The diff's grant entries, in its (id) order: the team's grant and each member's derived
           * one, each named `principal: entitlement`, with its principal's status ("" for the team).
           */
          added: [
            {
              id: `${entitlementId}:team:${team.id}`,
              name: `${team.name}: ${entitlementName}`,
              principalStatus: "",
              paths: [{ via: "direct" as const }]
            },
            ...members.map((member) => ({
              id: `${entitlementId}:user:${member}`,
              name: `${personName(snapshot, member)}: ${entitlementName}`,
              principalStatus: userStatus(snapshot, member),
              paths: [{ via: "team" as const, team: team.id }]
            }))
          ].sort((a, b) => compareKeys(a.id, b.id))
        }
      }
    }
  }
  throw new Error("the account has no team without a role somewhere")
}
