import { Effect } from "effect"

/**
 * What a sync of a Fivetran account must hold, computed from its REST API alone (plain fetch, every
 * page followed) by the rules of docs/architecture.md §2. It shares no code with connector-core's
 * mapping, so a wrong or missing row in the .c1z shows up as a difference, not as the same mistake.
 */

/** A row as `baton-fivetran resources -o json` prints it (without the id). */
export interface ResourceRow {
  readonly name: string
  readonly email: string
  readonly status: string
  /** A user's `logged_in_at`; "" when null or not a user. */
  readonly lastLogin: string
  /** `service` for a `SERVICE_ACCOUNT`, `human` for another user; "" when not a user. */
  readonly accountType: string
  readonly parent: string
}

export interface OracleRows {
  /** type:id -> row. */
  readonly resources: ReadonlyMap<string, ResourceRow>
  readonly entitlements: ReadonlySet<string>
  /** Grant id -> the paths it is held by, sorted: "direct" and/or "team:<team id>". */
  readonly grants: ReadonlyMap<string, ReadonlyArray<string>>
}

interface WireRole {
  readonly name: string
  readonly scope: ReadonlyArray<string>
}
interface WireUser {
  readonly id: string
  readonly email: string | null
  readonly given_name: string
  readonly family_name: string
  readonly role: string | null
  readonly active: boolean
  readonly invited: boolean
  readonly logged_in_at: string | null
  readonly user_type: string
}
interface WireNamed {
  readonly id: string
  readonly name: string
}
interface WireTeam extends WireNamed {
  readonly role: string | null
}
interface WireConnection {
  readonly id: string
  readonly group_id: string
  readonly service: string
  readonly schema: string
}
/** A user's or team's membership in a group or connection: `id` is the group's or connection's. */
interface WireMembership {
  readonly id: string
  readonly role: string
}
interface WireTeamUser {
  readonly user_id: string
  readonly role: string
}

/** Small pages, so the oracle follows next_cursor on every list of a small account too. */
const pageSize = 10

export const restOracle = (baseUrl: string, key: string, secret: string, syncConnections: boolean) =>
  Effect.gen(function*() {
    const authorization = `Basic ${Buffer.from(`${key}:${secret}`).toString("base64")}`
    const list = <A>(path: string) =>
      Effect.promise(async () => {
        const items: Array<A> = []
        let cursor: string | null | undefined
        do {
          const url = new URL(path, baseUrl)
          url.searchParams.set("limit", String(pageSize))
          if (cursor) url.searchParams.set("cursor", cursor)
          const response = await fetch(url, { headers: { authorization } })
          if (!response.ok) throw new Error(`GET ${path}: ${response.status}`)
          const body = (await response.json()) as { data: { items: Array<A>; next_cursor?: string | null } }
          items.push(...body.data.items)
          cursor = body.data.next_cursor
        } while (cursor)
        return items
      })

    const roles = yield* list<WireRole>("/v1/roles")
    const inScope = (scope: string) => roles.filter((role) => role.scope.includes(scope)).map((role) => role.name)
    const users = yield* list<WireUser>("/v1/users")
    const groups = yield* list<WireNamed>("/v1/groups")
    const teams = yield* list<WireTeam>("/v1/teams")
    const connections = syncConnections ? yield* list<WireConnection>("/v1/connections") : []

    const resources = new Map<string, ResourceRow>()
    const plain = (name: string, parent = ""): ResourceRow => ({ name, email: "", status: "", lastLogin: "", accountType: "", parent })
    for (const user of users) {
      resources.set(`user:${user.id}`, {
        name: [user.given_name, user.family_name].filter((part) => part !== "").join(" ") || (user.email ?? ""),
        email: user.email ?? "",
        // The review commands show "invited" only for an enabled user; a suspended one is disabled.
        status: !user.active ? "disabled" : user.invited ? "invited" : "enabled",
        lastLogin: user.logged_in_at ?? "",
        accountType: user.user_type === "SERVICE_ACCOUNT" ? "service" : "human",
        parent: ""
      })
    }
    for (const role of inScope("ACCOUNT")) resources.set(`role:${role}`, plain(role))
    for (const group of groups) resources.set(`group:${group.id}`, plain(group.name))
    for (const team of teams) resources.set(`team:${team.id}`, plain(team.name))
    for (const c of connections) resources.set(`connection:${c.id}`, plain(`${c.service} ${c.schema}`, `group:${c.group_id}`))

    // A custom TEAM role named "member" has the membership's id: the Set keeps one.
    const entitlements = new Set([
      ...inScope("ACCOUNT").map((role) => `role:${role}:assigned`),
      ...groups.flatMap((group) => inScope("DESTINATION").map((role) => `group:${group.id}:${role}`)),
      ...teams.flatMap((team) => [`team:${team.id}:member`, ...inScope("TEAM").map((role) => `team:${team.id}:${role}`)]),
      ...connections.flatMap((c) => inScope("CONNECTOR").map((role) => `connection:${c.id}:${role}`))
    ])

    const paths = new Map<string, Set<string>>()
    const hold = (grantId: string, path: string) => paths.set(grantId, (paths.get(grantId) ?? new Set()).add(path))
    for (const user of users) if (user.role !== null) hold(`role:${user.role}:assigned:user:${user.id}`, "direct")
    for (const group of groups) {
      // Users listed with no role hold access through their account role: no group grant.
      for (const user of yield* list<WireUser>(`/v1/groups/${group.id}/users`)) {
        if (user.role !== null && user.role !== "") hold(`group:${group.id}:${user.role}:user:${user.id}`, "direct")
      }
    }
    if (syncConnections) {
      for (const user of users) {
        for (const m of yield* list<WireMembership>(`/v1/users/${user.id}/connections`)) {
          hold(`connection:${m.id}:${m.role}:user:${user.id}`, "direct")
        }
      }
    }
    for (const team of teams) {
      const members = yield* list<WireTeamUser>(`/v1/teams/${team.id}/users`)
      for (const m of members) {
        hold(`team:${team.id}:member:user:${m.user_id}`, "direct")
        hold(`team:${team.id}:${m.role}:user:${m.user_id}`, "direct")
      }
      const held = [
        ...(team.role === null ? [] : [`role:${team.role}:assigned`]),
        ...(yield* list<WireMembership>(`/v1/teams/${team.id}/groups`)).map((m) => `group:${m.id}:${m.role}`),
        ...(syncConnections ? yield* list<WireMembership>(`/v1/teams/${team.id}/connections`) : []).map((m) =>
          `connection:${m.id}:${m.role}`
        )
      ]
      // The team's own grant, and each member's through the team (expansion).
      for (const entitlement of held) {
        hold(`${entitlement}:team:${team.id}`, "direct")
        for (const m of members) hold(`${entitlement}:user:${m.user_id}`, `team:${team.id}`)
      }
    }

    const grants = new Map(Array.from(paths, ([id, held]) => [id, Array.from(held).sort()] as const))
    return { resources, entitlements, grants } satisfies OracleRows
  })
