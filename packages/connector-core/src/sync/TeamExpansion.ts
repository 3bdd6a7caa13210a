import type { Entitlement } from "../model/Baton.js"

/** A user reached through teams: every team (in sync order) that holds the entitlement and has the user. */
export interface TeamReach {
  readonly userId: string
  readonly teamIds: readonly [string, ...Array<string>]
}

/**
 * Grant expansion for teams (docs/architecture.md §2), done while syncing instead of after it. The teams
 * phase records each team's members and the entitlements the team holds; later phases ask, for
 * each direct user grant, which teams also lead the user there (the grant row then names them as
 * sources), and finally take the pairs no direct grant claimed (emitted as derived grants).
 *
 * Memory is O(team memberships + teams' entitlements + claimed pairs): the (entitlement, user)
 * pairs reached through teams are worked out when asked for, from the teams holding the
 * entitlement and each user's teams, and only the pairs a direct grant claimed are remembered.
 * Kept as a map per entitlement, the pairs grew with members × entitlements held: in a large
 * sync they were ~4 MB of a 30 MB heap snapshot (its live heap is ~1 MB smaller without them;
 * an account whose big teams hold many groups saves far more). Each pair is handed out once, so
 * nothing is emitted twice. Users and teams come out in the order they were recorded, so output
 * is deterministic for a deterministic input order. All `holds` come before any take (the teams
 * phase builds its rows before the phases that take).
 */
export class TeamExpansion {
  /** team id -> its members, in listed order. */
  private readonly members = new Map<string, ReadonlyArray<string>>()
  /** user id -> the teams the user is in: one id as a plain string, as most users are in one team. */
  private readonly teamsOf = new Map<string, TeamIds>()
  /** entitlement id -> the teams holding it, each once, with its place in the order recorded. */
  private readonly holders = new Map<string, Map<string, number>>()
  /** entitlement id -> the users whose direct grant took their team reach. */
  private readonly claimed = new Map<string, Set<string>>()
  /** Entitlements already known when a team was recorded (account roles, connections). */
  private readonly known = new Map<string, Entitlement>()

  /** The members of a team (once per team), before `holds` for that team. */
  addMembers(teamId: string, userIds: ReadonlyArray<string>): void {
    this.members.set(teamId, userIds)
    for (const userId of userIds) {
      const teams = this.teamsOf.get(userId)
      if (teams === undefined) this.teamsOf.set(userId, teamId)
      else if (typeof teams === "string") {
        if (teams !== teamId) this.teamsOf.set(userId, [teams, teamId])
      } else if (!teams.includes(teamId)) teams.push(teamId)
    }
  }

  /**
   * Team `teamId` holds the entitlement: each of its members reaches it. Pass the Entitlement when
   * it is known now (it then comes back from `takeKnown`), or just its id (group roles, whose
   * group is listed later).
   */
  holds(teamId: string, entitlement: Entitlement | string): void {
    const id = typeof entitlement === "string" ? entitlement : entitlement.id
    if (typeof entitlement !== "string" && !this.known.has(id)) this.known.set(id, entitlement)
    const teams = this.holders.get(id)
    if (teams === undefined) this.holders.set(id, new Map([[teamId, 0]]))
    else if (!teams.has(teamId)) teams.set(teamId, teams.size)
  }

  /** The teams through which a user with a direct grant also reaches it; the pair is claimed by that grant. */
  takeForDirect(entitlementId: string, userId: string): ReadonlyArray<string> {
    const teams = this.holders.get(entitlementId)
    if (teams === undefined) return []
    const via = this.teamsHolding(teams, userId)
    if (via.length === 0) return []
    const claimed = this.claimed.get(entitlementId)
    if (claimed === undefined) this.claimed.set(entitlementId, new Set([userId]))
    else if (claimed.has(userId)) return []
    else claimed.add(userId)
    return via
  }

  /** The users that reach the entitlement only through teams; they are handed out once. */
  takeRemaining(entitlementId: string): ReadonlyArray<TeamReach> {
    const teams = this.holders.get(entitlementId)
    if (teams === undefined) return []
    const claimed = this.claimed.get(entitlementId)
    this.holders.delete(entitlementId)
    this.claimed.delete(entitlementId)
    this.known.delete(entitlementId)
    const seen = new Set<string>()
    const reaches: Array<TeamReach> = []
    for (const teamId of teams.keys()) {
      for (const userId of this.members.get(teamId) ?? []) {
        if (seen.has(userId)) continue
        seen.add(userId)
        // The user's holding teams start with this one (the teams before it lacked the user);
        // the default only tells the type checker the list is not empty.
        const [first = teamId, ...others] = this.teamsHolding(teams, userId)
        if (claimed?.has(userId) !== true) reaches.push({ userId, teamIds: [first, ...others] })
      }
    }
    return reaches
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
    return Array.from(this.holders)
      .filter(([id, teams]) => {
        const claimed = this.claimed.get(id)
        return Array.from(teams.keys()).some((teamId) => (this.members.get(teamId) ?? []).some((userId) => claimed?.has(userId) !== true))
      })
      .map(([id]) => id)
  }

  /**
   * The user's teams among those holding an entitlement, in the order they were recorded as
   * holding it. Looked up from the user's side: a user is in a team or two, while an account
   * role can be held by dozens of teams.
   */
  private teamsHolding(teams: ReadonlyMap<string, number>, userId: string): Array<string> {
    const mine = this.teamsOf.get(userId)
    if (mine === undefined) return []
    if (typeof mine === "string") return teams.has(mine) ? [mine] : []
    return mine.filter((teamId) => teams.has(teamId)).sort((a, b) => teams.get(a)! - teams.get(b)!)
  }
}

type TeamIds = string | [string, ...Array<string>]
