import type { AccountSnapshot } from "@baton-fivetran/fivetran-sandbox"

/**
 * An independent model of what a sync with connections must write for a sandbox account, computed
 * from the account's own snapshot by the rules of the public resource model (docs/architecture.md §2)
 * and nothing of connector-core's mapping, so a sync can be checked against it whole. Each row is
 * reduced to the facts the model decides, as plain text keyed by id, so the two sides compare as
 * values and a difference reads as a line.
 */

export interface ResourceFacts {
  readonly displayName: string
  readonly parent: string | null
}

export interface EntitlementFacts {
  readonly resource: string
  readonly slug: string
  readonly purpose: string
  /** Principal type ids, sorted. */
  readonly grantableTo: ReadonlyArray<string>
}

export interface GrantFacts {
  readonly entitlement: string
  readonly principal: string
  /** `<source entitlement id> direct|via team`, sorted; empty when the grant has no sources. */
  readonly sources: ReadonlyArray<string>
  /** The GrantExpandable's entitlement ids, or null without one. */
  readonly expandsTo: ReadonlyArray<string> | null
  /** The source a GrantImmutable names (null without one). */
  readonly immutable: string | null
}

export interface AccessFacts {
  /** Each resource type's traits. */
  readonly resourceTypes: ReadonlyMap<string, ReadonlyArray<string>>
  readonly resources: ReadonlyMap<string, ResourceFacts>
  readonly entitlements: ReadonlyMap<string, EntitlementFacts>
  readonly grants: ReadonlyMap<string, GrantFacts>
}

const memberOf = (teamId: string) => `team:${teamId}:member`

type Scope = AccountSnapshot["roles"][number]["scope"][number]

/** What the model expects a sync with connections of `account` to write. */
export const expectedAccess = (account: AccountSnapshot): AccessFacts => {
  const resources = new Map<string, ResourceFacts>()
  const entitlements = new Map<string, EntitlementFacts>()
  const rolesOf = (scope: Scope) => account.roles.filter((role) => role.scope.includes(scope)).map((role) => role.name)
  // A team is no member of a team: only users hold a team's entitlements.
  const entitle = (resource: string, slug: string, purpose: string) =>
    entitlements.set(`${resource}:${slug}`, {
      resource,
      slug,
      purpose,
      grantableTo: resource.startsWith("team:") ? ["user"] : ["team", "user"]
    })

  for (const user of account.users) {
    const name = `${user.given_name} ${user.family_name}`.trim()
    resources.set(`user:${user.id}`, { displayName: name === "" ? user.email : name, parent: null })
  }
  for (const role of rolesOf("ACCOUNT")) {
    resources.set(`role:${role}`, { displayName: role, parent: null })
    entitle(`role:${role}`, "assigned", "ASSIGNMENT")
  }
  for (const group of account.groups) {
    resources.set(`group:${group.id}`, { displayName: group.name, parent: null })
    for (const role of rolesOf("DESTINATION")) entitle(`group:${group.id}`, role, "PERMISSION")
  }
  for (const team of account.teams) {
    resources.set(`team:${team.id}`, { displayName: team.name, parent: null })
    entitle(`team:${team.id}`, "member", "ASSIGNMENT")
    for (const role of rolesOf("TEAM")) if (role !== "member") entitle(`team:${team.id}`, role, "PERMISSION")
  }
  for (const connection of account.connections) {
    resources.set(`connection:${connection.id}`, {
      displayName: `${connection.service} ${connection.schema}`,
      parent: `group:${connection.group_id}`
    })
    for (const role of rolesOf("CONNECTOR")) entitle(`connection:${connection.id}`, role, "PERMISSION")
  }

  // Who holds what in Fivetran: [entitlement id, principal] pairs, users' and teams'. A role the
  // catalog does not list in its scope is held all the same: its entitlement (and, for an account
  // role, its role resource) exists where a membership names it. An empty role names nothing; a
  // TEAM role named `member` is the membership itself.
  const held: Array<readonly [string, string]> = []
  const hold = (resource: string, scope: Scope, role: string | null, principal: string) => {
    if (role === null || role === "" || (scope === "TEAM" && role === "member")) return
    const slug = scope === "ACCOUNT" ? "assigned" : role
    if (!entitlements.has(`${resource}:${slug}`)) {
      if (scope === "ACCOUNT") resources.set(resource, { displayName: role, parent: null })
      entitle(resource, slug, scope === "ACCOUNT" ? "ASSIGNMENT" : "PERMISSION")
    }
    held.push([`${resource}:${slug}`, principal])
  }
  for (const user of account.users) hold(`role:${user.role}`, "ACCOUNT", user.role, `user:${user.id}`)
  for (const team of account.teams) hold(`role:${team.role}`, "ACCOUNT", team.role, `team:${team.id}`)
  for (const row of account.user_groups) hold(`group:${row.group_id}`, "DESTINATION", row.role, `user:${row.user_id}`)
  for (const row of account.team_groups) hold(`group:${row.group_id}`, "DESTINATION", row.role, `team:${row.team_id}`)
  for (const row of account.team_users) {
    held.push([memberOf(row.team_id), `user:${row.user_id}`])
    hold(`team:${row.team_id}`, "TEAM", row.role, `user:${row.user_id}`)
  }
  for (const row of account.user_connections) hold(`connection:${row.connection_id}`, "CONNECTOR", row.role, `user:${row.user_id}`)
  for (const row of account.team_connections) hold(`connection:${row.connection_id}`, "CONNECTOR", row.role, `team:${row.team_id}`)

  const membersOf = new Map<string, Array<string>>()
  for (const row of account.team_users) membersOf.set(row.team_id, [...(membersOf.get(row.team_id) ?? []), row.user_id])

  // A team's grant reaches each of its members: grant id -> the teams it comes through.
  const direct = new Set(held.map(([entitlement, principal]) => `${entitlement}:${principal}`))
  const throughTeams = new Map<string, Set<string>>()
  for (const [entitlement, principal] of held) {
    if (!principal.startsWith("team:")) continue
    const teamId = principal.slice("team:".length)
    for (const userId of membersOf.get(teamId) ?? []) {
      const id = `${entitlement}:user:${userId}`
      throughTeams.set(id, (throughTeams.get(id) ?? new Set()).add(teamId))
    }
  }

  const grants = new Map<string, GrantFacts>()
  const viaTeams = (id: string) => [...(throughTeams.get(id) ?? [])].map((teamId) => `${memberOf(teamId)} via team`)
  for (const [entitlement, principal] of held) {
    const id = `${entitlement}:${principal}`
    const teams = viaTeams(id)
    grants.set(id, {
      entitlement,
      principal,
      sources: teams.length === 0 ? [] : [`${entitlement} direct`, ...teams].sort(),
      expandsTo: principal.startsWith("team:") ? [memberOf(principal.slice("team:".length))] : null,
      immutable: null
    })
  }
  // A derived grant is revoked through a team: the first of its teams in the account's team list.
  const teamOrder = new Map(account.teams.map((team, index) => [team.id, index]))
  for (const [id, teams] of throughTeams) {
    if (direct.has(id)) continue
    const [entitlement, principal] = splitGrantId(id)
    const [first] = [...teams].sort((a, b) => teamOrder.get(a)! - teamOrder.get(b)!)
    grants.set(id, {
      entitlement,
      principal,
      sources: [...teams].map((teamId) => `${memberOf(teamId)} via team`).sort(),
      expandsTo: null,
      immutable: memberOf(first!)
    })
  }
  const resourceTypes = new Map<string, ReadonlyArray<string>>([
    ["user", ["USER"]],
    ["role", ["ROLE"]],
    ["group", ["GROUP"]],
    ["team", ["GROUP"]],
    ["connection", []]
  ])
  return { resourceTypes, resources, entitlements, grants }
}

/** A grant id's entitlement id and `type:id` principal: principal type and id never hold a `:`. */
const splitGrantId = (id: string): readonly [string, string] => {
  const parts = id.split(":")
  return [parts.slice(0, -2).join(":"), parts.slice(-2).join(":")]
}

/**
 * The review sheet's access paths the model's grants give (`principal|entitlement|via`, sorted):
 * one per source of a grant, `direct` for its own and `team:<id>` for a team's membership, and one
 * `direct` path for a grant without sources.
 */
export const accessPaths = (facts: AccessFacts): ReadonlyArray<string> => {
  const paths: Array<string> = []
  for (const grant of facts.grants.values()) {
    const vias = grant.sources.length === 0
      ? ["direct"]
      : grant.sources.map((source) => source.endsWith(" direct") ? "direct" : source.slice(0, source.indexOf(":member via team")))
    for (const via of vias) paths.push(`${grant.principal}|${grant.entitlement}|${via}`)
  }
  return paths.sort()
}
