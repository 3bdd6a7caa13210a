import type { Entitlement } from "../../src/model/Baton.js"
import type { TeamReach } from "../../src/sync/TeamExpansion.js"

/**
 * The team expansion the sync used until 2026-12-01, which kept every (entitlement, user) pair
 * reached through teams in a map: the reference TeamExpansion.test.ts holds the current one to.
 */
export class PairMapTeamExpansion {
  private readonly members = new Map<string, ReadonlyArray<string>>()
  /**
   * entitlement id -> user id -> team ids: one id as a plain string, as most users reach an
   * entitlement through one team (an array per pair was ~2 MB of a large sync's ~30 MB live heap).
   */
  private readonly reached = new Map<string, Map<string, TeamIds>>()
  /** Entitlements already known when a team was recorded (account roles, connections). */
  private readonly known = new Map<string, Entitlement>()

  /** The members of a team, before `holds` for that team. */
  addMembers(teamId: string, userIds: ReadonlyArray<string>): void {
    this.members.set(teamId, userIds)
  }

  /**
   * Team `teamId` holds the entitlement: each of its members reaches it. Pass the Entitlement when
   * it is known now (it then comes back from `takeKnown`), or just its id (group roles, whose
   * group is listed later).
   */
  holds(teamId: string, entitlement: Entitlement | string): void {
    const id = typeof entitlement === "string" ? entitlement : entitlement.id
    if (typeof entitlement !== "string" && !this.known.has(id)) this.known.set(id, entitlement)
    let users = this.reached.get(id)
    if (users === undefined) {
      users = new Map()
      this.reached.set(id, users)
    }
    for (const userId of this.members.get(teamId) ?? []) {
      const teams = users.get(userId)
      if (teams === undefined) users.set(userId, teamId)
      else if (typeof teams === "string") {
        if (teams !== teamId) users.set(userId, [teams, teamId])
      } else if (!teams.includes(teamId)) teams.push(teamId)
    }
  }

  /** The teams through which a user with a direct grant also reaches it; the pair is claimed by that grant. */
  takeForDirect(entitlementId: string, userId: string): ReadonlyArray<string> {
    const users = this.reached.get(entitlementId)
    const teams = users?.get(userId)
    if (users === undefined || teams === undefined) return []
    users.delete(userId)
    return asList(teams)
  }

  /** The users that reach the entitlement only through teams; they are handed out once. */
  takeRemaining(entitlementId: string): ReadonlyArray<TeamReach> {
    const users = this.reached.get(entitlementId)
    if (users === undefined) return []
    this.reached.delete(entitlementId)
    this.known.delete(entitlementId)
    return Array.from(users, ([userId, teamIds]) => ({ userId, teamIds: asList(teamIds) }))
  }

  /**
   * What remains of the entitlements passed in full to `holds`, each with its remaining users,
   * taken one entitlement at a time as the caller iterates (all of them at once held tens of
   * thousands of reaches, and their grant rows, alive together).
   */
  *takeKnown(): Iterable<{ readonly entitlement: Entitlement; readonly reaches: ReadonlyArray<TeamReach> }> {
    for (const entitlement of Array.from(this.known.values())) {
      const reaches = this.takeRemaining(entitlement.id)
      if (reaches.length > 0) yield { entitlement, reaches }
    }
  }

  /** Entitlement ids some user still reaches but nobody took (e.g. a group the groups list lacks). */
  unclaimed(): ReadonlyArray<string> {
    return Array.from(this.reached).filter(([, users]) => users.size > 0).map(([id]) => id)
  }
}

type TeamIds = string | [string, ...Array<string>]

const asList = (teams: TeamIds): readonly [string, ...Array<string>] => typeof teams === "string" ? [teams] : teams
