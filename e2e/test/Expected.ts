import type { AccountSnapshot } from "@baton-fivetran/fivetran-sandbox"

/**
 * What a sync of `snapshot` must contain, written straight from docs/architecture.md §2 and independent of
 * connector-core's mapping code: only the ids, which grants are derived, and their sources.
 */

export interface ExpectedGrant {
  readonly derived: boolean
  /** Source entitlement id -> isDirect; absent on plain direct grants. */
  readonly sources?: Readonly<Record<string, boolean>>
  /** The team member entitlement an expandable (team-held) grant names. */
  readonly expandableBy?: string
}

export interface Expected {
  readonly resourceTypes: ReadonlyArray<string>
  readonly resources: Readonly<Record<string, ReadonlyArray<string>>>
  readonly entitlements: ReadonlyArray<string>
  readonly grants: ReadonlyMap<string, ExpectedGrant>
}

const inScope = (snapshot: AccountSnapshot, scope: string) =>
  snapshot.roles.filter((role) => role.scope.some((s) => s === scope)).map((role) => role.name)

export const expectedSync = (snapshot: AccountSnapshot, syncConnections: boolean): Expected => {
  const account = inScope(snapshot, "ACCOUNT")
  const destination = inScope(snapshot, "DESTINATION")
  const connector = inScope(snapshot, "CONNECTOR")
  const team = inScope(snapshot, "TEAM")

  const entitlements = [
    ...account.map((r) => `role:${r}:assigned`),
    ...snapshot.groups.flatMap((g) => destination.map((r) => `group:${g.id}:${r}`)),
    ...snapshot.teams.flatMap((t) => [`team:${t.id}:member`, ...team.map((r) => `team:${t.id}:${r}`)]),
    ...(syncConnections ? snapshot.connections.flatMap((c) => connector.map((r) => `connection:${c.id}:${r}`)) : [])
  ]

  const direct = new Map<string, ExpectedGrant>()
  /** Entitlements held by each team. */
  const teamHolds: Array<{ readonly team: string; readonly entitlement: string }> = []
  const teamGrant = (entitlement: string, teamId: string) => {
    direct.set(`${entitlement}:team:${teamId}`, { derived: false, expandableBy: `team:${teamId}:member` })
    teamHolds.push({ team: teamId, entitlement })
  }

  for (const user of snapshot.users) {
    if (user.role !== null) direct.set(`role:${user.role}:assigned:user:${user.id}`, { derived: false })
  }
  for (const t of snapshot.teams) if (t.role !== null) teamGrant(`role:${t.role}:assigned`, t.id)
  // GET /v1/groups/G/users lists the memberships with their role (users listed with no role get nothing).
  for (const m of snapshot.user_groups) direct.set(`group:${m.group_id}:${m.role}:user:${m.user_id}`, { derived: false })
  for (const m of snapshot.team_groups) teamGrant(`group:${m.group_id}:${m.role}`, m.team_id)
  for (const m of snapshot.team_users) {
    direct.set(`team:${m.team_id}:member:user:${m.user_id}`, { derived: false })
    direct.set(`team:${m.team_id}:${m.role}:user:${m.user_id}`, { derived: false })
  }
  if (syncConnections) {
    for (const m of snapshot.user_connections) {
      direct.set(`connection:${m.connection_id}:${m.role}:user:${m.user_id}`, { derived: false })
    }
    for (const m of snapshot.team_connections) teamGrant(`connection:${m.connection_id}:${m.role}`, m.team_id)
  }

  // Expansion: every member of a team holding E reaches E; a direct grant absorbs the team sources.
  const reached = new Map<string, { readonly entitlement: string; readonly teams: Array<string> }>()
  for (const { entitlement, team: teamId } of teamHolds) {
    for (const m of snapshot.team_users.filter((row) => row.team_id === teamId)) {
      const id = `${entitlement}:user:${m.user_id}`
      const entry = reached.get(id) ?? { entitlement, teams: [] }
      if (!entry.teams.includes(teamId)) entry.teams.push(teamId)
      reached.set(id, entry)
    }
  }
  const grants = new Map(direct)
  for (const [id, { entitlement, teams }] of reached) {
    const teamSources = Object.fromEntries(teams.map((t) => [`team:${t}:member`, false]))
    grants.set(
      id,
      direct.has(id)
        ? { derived: false, sources: { [entitlement]: true, ...teamSources } }
        : { derived: true, sources: teamSources }
    )
  }

  return {
    resourceTypes: ["user", "role", "group", "team", ...(syncConnections ? ["connection"] : [])],
    resources: {
      user: snapshot.users.map((u) => u.id),
      role: account,
      group: snapshot.groups.map((g) => g.id),
      team: snapshot.teams.map((t) => t.id),
      ...(syncConnections ? { connection: snapshot.connections.map((c) => c.id) } : {})
    },
    entitlements,
    grants
  }
}
