import type { Connection, Group, Role, RoleScope, Team, User } from "@baton-fivetran/fivetran-client"
import type { AccountSnapshot } from "../state/AccountSnapshot.js"
import { standardRoles } from "../state/StandardRoles.js"
import { fullAccessPermissions, makeSystemKey, makeUserKey } from "./Credentials.js"
import type { CountRange, GeneratorOptions } from "./GeneratorOptions.js"
import { IdAllocator } from "./IdAllocator.js"
import { Prng } from "./Prng.js"
import { accountAsOf, accountEpoch, instantBetween, microsTimestamp, millisTimestamp } from "./Timestamps.js"
import {
  companies,
  connectionServices,
  customRoleNames,
  familyNames,
  givenNames,
  groupBases,
  groupQualifiers,
  schemaQualifiers,
  serviceAccountKinds,
  serviceAccountTools,
  teamAreas,
  teamDescriptions,
  teamFunctions,
  teamRegions
} from "./Words.js"

type Weighted = ReadonlyArray<readonly [string, number]>

/** Role mixes seen in real accounts: few administrators, mostly reviewers and analysts. */
const accountRoleWeights: Weighted = [
  ["Account Administrator", 2],
  ["Account Billing", 3],
  ["Account Analyst", 30],
  ["Account Reviewer", 45],
  ["Destination Creator", 8]
]
const teamAccountRoleWeights: ReadonlyArray<readonly [string | null, number]> = [
  ["Account Reviewer", 40],
  ["Account Analyst", 30],
  ["Destination Creator", 5],
  [null, 25]
]
const destinationRoleWeights: Weighted = [
  ["View Destination", 45],
  ["Edit Destination", 30],
  ["Manage Destination", 12],
  ["Create Connection", 8]
]
const connectionRoleWeights: Weighted = [
  ["View Connection", 45],
  ["Edit Connection", 30],
  ["Manage Connection", 20]
]
const teamRoleWeights: Weighted = [
  ["Team Member", 85],
  ["Team Manager", 15]
]
/** Custom roles of one scope share this weight (of about 100), so they stay a minority. */
const customRolesWeight = 6
const customScopes = ["ACCOUNT", "DESTINATION", "CONNECTOR"] as const

const emailPart = (name: string): string => name.toLowerCase().replace(/[^a-z]/g, "")

const customRoles = (count: number): Array<Role> =>
  Array.from({ length: count }, (_, index) => {
    const scope = customScopes[index % customScopes.length]!
    const names = customRoleNames[scope]
    const round = Math.floor(index / customScopes.length)
    const base = names[round % names.length]!
    const name = round < names.length ? base : `${base} ${Math.floor(round / names.length) + 1}`
    return {
      name,
      description: `Custom ${scope.toLowerCase()} role.`,
      is_custom: true,
      scope: [scope],
      is_deprecated: false,
      replacement_role_name: null
    }
  })

/** Unique names: the first free candidate, else the last one numbered. */
const uniqueName = (taken: Set<string>, candidates: ReadonlyArray<string>, numbered: (n: number) => string): string => {
  for (const candidate of candidates) {
    if (!taken.has(candidate)) {
      taken.add(candidate)
      return candidate
    }
  }
  for (let n = 2;; n++) {
    const candidate = numbered(n)
    if (!taken.has(candidate)) {
      taken.add(candidate)
      return candidate
    }
  }
}

/** Draws a count in `range`, capped by how many targets exist. */
const drawCount = (prng: Prng, range: CountRange, available: number): number => Math.min(prng.int(range.min, range.max), available)

/**
 * A whole account from `options`: pure and deterministic (one seeded stream, fixed epoch, no
 * clock, no Math.random), so the same options give a byte-identical snapshot.
 */
export const generate = (options: GeneratorOptions): AccountSnapshot => {
  const prng = new Prng(options.seed)
  const ids = new IdAllocator(prng)
  const [accountName, domain] = prng.pick(companies)
  const account = { account_id: ids.next(), account_name: accountName }

  const custom = customRoles(options.customRoles)
  const roles = [...standardRoles, ...custom]
  const customOf = (scope: RoleScope): Weighted => {
    const ofScope = custom.filter((role) => role.scope.includes(scope))
    return ofScope.map((role) => [role.name, customRolesWeight / ofScope.length] as const)
  }
  const deprecatedAlias = new Map<string, Array<string>>()
  for (const role of standardRoles) {
    if (role.is_deprecated === true && role.replacement_role_name !== null) {
      deprecatedAlias.set(role.replacement_role_name, [...(deprecatedAlias.get(role.replacement_role_name) ?? []), role.name])
    }
  }
  const accountRoles = [...accountRoleWeights, ...customOf("ACCOUNT")]
  const destinationRoles = [...destinationRoleWeights, ...customOf("DESTINATION")]
  const connectionRoles = [...connectionRoleWeights, ...customOf("CONNECTOR")]
  /** Some memberships still carry the old names of their role (docs/fivetran-api.md §6.1). */
  const membershipRole = (weights: Weighted): string => {
    const role = prng.weighted(weights)
    const aliases = deprecatedAlias.get(role)
    return aliases !== undefined && prng.chance(options.deprecatedRoleShare) ? prng.pick(aliases) : role
  }

  // Users. The first is the active administrator owning the user key; statuses and missing
  // account roles go to exact, seed-chosen shares of the others.
  const userCount = options.users
  const others = userCount - 1
  const shareOf = (share: number) => Math.min(others, Math.round(share * userCount))
  const invited = shareOf(options.invitedShare)
  const suspended = Math.min(others - invited, shareOf(options.suspendedShare))
  const service = Math.min(others - invited - suspended, shareOf(options.serviceAccountShare))
  const status = new Array<"active" | "invited" | "suspended" | "service">(userCount).fill("active")
  prng.sampleIndices(others, invited + suspended + service).forEach((index, order) => {
    status[index + 1] = order < invited ? "invited" : order < invited + suspended ? "suspended" : "service"
  })
  const noRole = new Array<boolean>(userCount).fill(false)
  for (const index of prng.sampleIndices(others, shareOf(options.noAccountRoleShare))) noRole[index + 1] = true

  const emails = new Map<string, number>()
  const uniqueEmail = (local: string): string => {
    const seen = (emails.get(local) ?? 0) + 1
    emails.set(local, seen)
    return `${seen === 1 ? local : `${local}${seen}`}@${domain}`
  }
  const userCreated: Array<number> = []
  const users: Array<User> = []
  for (let index = 0; index < userCount; index++) {
    const kind = status[index]!
    const isService = kind === "service"
    const given = isService ? prng.pick(serviceAccountTools) : prng.pick(givenNames)
    const family = isService ? prng.pick(serviceAccountKinds) : prng.pick(familyNames)
    const created = instantBetween(prng, accountEpoch, accountAsOf - 30 * 86_400_000)
    const role = index === 0 ? "Account Administrator" : noRole[index] ? null : prng.weighted(accountRoles)
    const hasLoggedIn = kind === "active" || kind === "suspended"
    userCreated.push(created)
    users.push({
      id: ids.next(),
      email: uniqueEmail(`${emailPart(given)}.${emailPart(family)}`),
      given_name: given,
      family_name: family,
      verified: kind !== "invited",
      invited: kind === "invited",
      picture: !isService && prng.chance(0.25) ? `https://avatars.${domain}/${prng.hex(24)}.png` : null,
      phone: !isService && prng.chance(0.15) ? `+1 415 555 ${prng.int(0, 9999).toString().padStart(4, "0")}` : null,
      role,
      logged_in_at: hasLoggedIn ? millisTimestamp(instantBetween(prng, created + 3_600_000, accountAsOf)) : null,
      created_at: microsTimestamp(prng, created),
      active: kind !== "suspended",
      user_type: isService ? "SERVICE_ACCOUNT" : "REGULAR_USER"
    })
  }

  // Groups (destinations) with valid Fivetran group names.
  const groupNames = new Set<string>()
  const groupCreated: Array<number> = []
  const groups: Array<Group> = []
  for (let index = 0; index < options.groups; index++) {
    const base = `${prng.pick(groupBases)}_${prng.pick(groupQualifiers)}`
    const created = instantBetween(prng, accountEpoch, accountAsOf - 60 * 86_400_000)
    groupCreated.push(created)
    groups.push({
      id: ids.next(),
      name: uniqueName(groupNames, [base], (n) => `${base}_${n}`),
      created_at: microsTimestamp(prng, created)
    })
  }

  // Connections, each in a group, with a schema name unique within its group (none without
  // groups: the options schema rejects that combination, this only keeps a raw call total).
  const connectors = users.filter((user) => user.active && !user.invited).map((user) => user.id)
  const schemasByGroup = groups.map(() => new Set<string>())
  const connectionCreated: Array<number> = []
  const connections: Array<Connection> = []
  for (let index = 0; index < (groups.length === 0 ? 0 : options.connections); index++) {
    const groupIndex = prng.int(0, groups.length - 1)
    const service = prng.pick(connectionServices)
    const qualified = `${service}_${prng.pick(schemaQualifiers)}`
    const created = instantBetween(prng, groupCreated[groupIndex]!, accountAsOf - 7 * 86_400_000)
    const paused = prng.chance(0.08)
    connectionCreated.push(created)
    connections.push({
      id: ids.next(),
      group_id: groups[groupIndex]!.id,
      service,
      schema: uniqueName(schemasByGroup[groupIndex]!, [service, qualified], (n) => `${qualified}_${n}`),
      connected_by: prng.pick(connectors),
      created_at: microsTimestamp(prng, created),
      paused,
      status: {
        setup_state: prng.weighted([["connected", 90], ["incomplete", 5], ["broken", 5]]),
        sync_state: paused ? "paused" : prng.weighted([["scheduled", 80], ["syncing", 15], ["rescheduled", 5]])
      }
    })
  }

  // Teams: "<area> <function>", then regional variants, then numbered.
  const teamNames = new Set<string>()
  const teamCreated: Array<number> = []
  const teams: Array<Team> = []
  for (let index = 0; index < options.teams; index++) {
    const base = `${prng.pick(teamAreas)} ${prng.pick(teamFunctions)}`
    const regional = `${prng.pick(teamRegions)} ${base}`
    teamCreated.push(instantBetween(prng, accountEpoch, accountAsOf - 30 * 86_400_000))
    teams.push({
      id: ids.next(),
      name: uniqueName(teamNames, [base, regional], (n) => `${regional} ${n}`),
      description: prng.chance(0.7) ? prng.pick(teamDescriptions) : null,
      role: prng.weighted(teamAccountRoleWeights)
    })
  }

  const joinedAt = (since: number): string => microsTimestamp(prng, instantBetween(prng, since, accountAsOf))

  // User memberships. A user without an account role holds at least one group role.
  const user_groups: Array<AccountSnapshot["user_groups"][number]> = []
  const user_connections: Array<AccountSnapshot["user_connections"][number]> = []
  users.forEach((user, u) => {
    const groupCount = Math.max(drawCount(prng, options.groupsPerUser, groups.length), user.role === null ? Math.min(1, groups.length) : 0)
    for (const g of prng.sampleIndices(groups.length, groupCount)) {
      user_groups.push({
        user_id: user.id,
        group_id: groups[g]!.id,
        role: membershipRole(destinationRoles),
        created_at: joinedAt(Math.max(userCreated[u]!, groupCreated[g]!))
      })
    }
    for (const c of prng.sampleIndices(connections.length, drawCount(prng, options.connectionsPerUser, connections.length))) {
      user_connections.push({
        user_id: user.id,
        connection_id: connections[c]!.id,
        role: membershipRole(connectionRoles),
        created_at: joinedAt(Math.max(userCreated[u]!, connectionCreated[c]!))
      })
    }
  })

  // Team memberships and the access teams grant.
  const team_users: Array<AccountSnapshot["team_users"][number]> = []
  const team_groups: Array<AccountSnapshot["team_groups"][number]> = []
  const team_connections: Array<AccountSnapshot["team_connections"][number]> = []
  teams.forEach((team, t) => {
    for (const u of prng.sampleIndices(users.length, drawCount(prng, options.usersPerTeam, users.length))) {
      team_users.push({
        team_id: team.id,
        user_id: users[u]!.id,
        role: prng.weighted(teamRoleWeights),
        created_at: joinedAt(Math.max(teamCreated[t]!, userCreated[u]!))
      })
    }
    for (const g of prng.sampleIndices(groups.length, drawCount(prng, options.groupsPerTeam, groups.length))) {
      team_groups.push({
        team_id: team.id,
        group_id: groups[g]!.id,
        role: membershipRole(destinationRoles),
        created_at: joinedAt(Math.max(teamCreated[t]!, groupCreated[g]!))
      })
    }
    for (const c of prng.sampleIndices(connections.length, drawCount(prng, options.connectionsPerTeam, connections.length))) {
      team_connections.push({
        team_id: team.id,
        connection_id: connections[c]!.id,
        role: membershipRole(connectionRoles),
        created_at: joinedAt(Math.max(teamCreated[t]!, connectionCreated[c]!))
      })
    }
  })

  const credentials = [
    makeUserKey(prng, users[0]!.id),
    makeSystemKey(prng, ids.next(), fullAccessPermissions)
  ]

  return {
    account,
    roles,
    users,
    groups,
    teams,
    connections,
    user_groups,
    user_connections,
    team_users,
    team_groups,
    team_connections,
    credentials
  }
}
