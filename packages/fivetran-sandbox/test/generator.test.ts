import { assert, describe, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import {
  AccountSnapshot,
  addSystemKey,
  defaultSeed,
  fullAccessPermissions,
  generate,
  generatePreset,
  GeneratorOptions,
  presets,
  standardRoles
} from "../src/index.js"
import type { PresetName } from "../src/index.js"

const small = generatePreset("small")
const medium = generatePreset("medium")

const entityIds = (snapshot: AccountSnapshot): Array<string> => [
  snapshot.account.account_id,
  ...snapshot.users.map((user) => user.id),
  ...snapshot.groups.map((group) => group.id),
  ...snapshot.teams.map((team) => team.id),
  ...snapshot.connections.map((connection) => connection.id),
  ...snapshot.credentials.flatMap((credential) => (credential._tag === "SystemKey" ? [credential.system_key_id] : []))
]

const scopeOf = (snapshot: AccountSnapshot) => new Map(snapshot.roles.map((role) => [role.name, role.scope]))

/** Independent of SnapshotIntegrity: every row points at real entities and a role of its table's scope. */
const assertMembershipsResolve = (snapshot: AccountSnapshot) => {
  const scopes = scopeOf(snapshot)
  const users = new Set(snapshot.users.map((user) => user.id))
  const groups = new Set(snapshot.groups.map((group) => group.id))
  const teams = new Set(snapshot.teams.map((team) => team.id))
  const connections = new Set(snapshot.connections.map((connection) => connection.id))
  const hasScope = (role: string, scope: string) => assert.include(scopes.get(role) ?? [], scope, role)
  for (const row of snapshot.user_groups) {
    assert.isTrue(users.has(row.user_id) && groups.has(row.group_id))
    hasScope(row.role, "DESTINATION")
  }
  for (const row of snapshot.user_connections) {
    assert.isTrue(users.has(row.user_id) && connections.has(row.connection_id))
    hasScope(row.role, "CONNECTOR")
  }
  for (const row of snapshot.team_users) {
    assert.isTrue(teams.has(row.team_id) && users.has(row.user_id))
    hasScope(row.role, "TEAM")
  }
  for (const row of snapshot.team_groups) {
    assert.isTrue(teams.has(row.team_id) && groups.has(row.group_id))
    hasScope(row.role, "DESTINATION")
  }
  for (const row of snapshot.team_connections) {
    assert.isTrue(teams.has(row.team_id) && connections.has(row.connection_id))
    hasScope(row.role, "CONNECTOR")
  }
  for (const user of snapshot.users) if (user.role !== null) hasScope(user.role, "ACCOUNT")
  for (const team of snapshot.teams) if (team.role !== null) hasScope(team.role, "ACCOUNT")
  for (const connection of snapshot.connections) assert.isTrue(groups.has(connection.group_id))
}

const countBy = <A>(items: ReadonlyArray<A>, key: (item: A) => string): Map<string, number> => {
  const counts = new Map<string, number>()
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1)
  return counts
}

describe("generate: determinism", () => {
  it("the same seed and sizes give deep-equal, byte-identical snapshots", () => {
    const again = generatePreset("medium")
    assert.deepStrictEqual(again, medium)
    assert.strictEqual(JSON.stringify(again), JSON.stringify(medium))
    assert.strictEqual(JSON.stringify(generate({ ...presets.small, seed: defaultSeed })), JSON.stringify(small))
  })

  it("a different seed gives a different account", () => {
    const other = generatePreset("small", defaultSeed + 1)
    assert.notStrictEqual(JSON.stringify(other), JSON.stringify(small))
    const shared = new Set(small.users.map((user) => user.id))
    assert.isBelow(other.users.filter((user) => shared.has(user.id)).length, 5)
    assert.strictEqual(other.users.length, small.users.length)
  })

  it("decodes with the AccountSnapshot schema after a JSON round trip", () => {
    const decoded = Schema.decodeUnknownSync(AccountSnapshot)(JSON.parse(JSON.stringify(medium)))
    assert.deepStrictEqual(decoded, medium)
  })
})

describe("generate: presets", () => {
  const expected: Record<PresetName, readonly [users: number, groups: number, teams: number, connections: number]> = {
    small: [25, 4, 3, 8],
    medium: [1_000, 60, 40, 250],
    large: [10_000, 500, 300, 2_000]
  }
  it("have exact entity counts", () => {
    for (const [name, snapshot] of [["small", small], ["medium", medium], ["large", generatePreset("large")]] as const) {
      const sizes = [snapshot.users.length, snapshot.groups.length, snapshot.teams.length, snapshot.connections.length]
      assert.deepStrictEqual(sizes, [...expected[name]], name)
      assert.strictEqual(snapshot.roles.filter((role) => role.is_custom).length, presets[name].customRoles, name)
      assert.strictEqual(new Set(entityIds(snapshot)).size, entityIds(snapshot).length, `${name}: ids unique`)
    }
  })

  it("small (the demo) has exact shares of invited, suspended, service and role-less users", () => {
    const invited = small.users.filter((user) => user.invited)
    assert.strictEqual(invited.length, 2)
    assert.strictEqual(small.users.filter((user) => !user.active).length, 2)
    assert.strictEqual(small.users.filter((user) => user.user_type === "SERVICE_ACCOUNT").length, 2)
    assert.strictEqual(small.users.filter((user) => user.role === null).length, 3)
    assert.deepStrictEqual(
      small.roles.filter((role) => role.is_custom).map((role) => role.scope),
      [["ACCOUNT"], ["DESTINATION"], ["CONNECTOR"]]
    )
  })
})

describe("generate: realism", () => {
  it("ids are word_word and unique across every entity", () => {
    for (const snapshot of [small, medium]) {
      const ids = entityIds(snapshot)
      assert.strictEqual(new Set(ids).size, ids.length)
      for (const id of ids) assert.match(id, /^[a-z]+(_[a-z0-9]+)+$/)
    }
  })

  it("emails are unique lowercase first.last at the company domain", () => {
    const domain = medium.users[0]!.email.split("@")[1]!
    const emails = medium.users.map((user) => user.email)
    assert.strictEqual(new Set(emails).size, emails.length)
    for (const user of medium.users) {
      assert.match(user.email, /^[a-z]+\.[a-z]+[0-9]*@[a-z.-]+$/)
      assert.strictEqual(user.email.split("@")[1], domain)
      assert.isTrue(user.email.startsWith(`${user.given_name.toLowerCase()}.${user.family_name.toLowerCase()}`), user.email)
    }
  })

  it("every membership references existing entities and roles of the right scope", () => {
    assertMembershipsResolve(small)
    assertMembershipsResolve(medium)
    assert.deepStrictEqual(small.roles.slice(0, standardRoles.length), [...standardRoles])
  })

  it("user lifecycle flags and timestamps are consistent", () => {
    for (const user of medium.users) {
      assert.match(user.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
      if (user.invited) {
        assert.isFalse(user.verified)
        assert.isNull(user.logged_in_at)
        assert.isTrue(user.active)
      } else if (user.user_type === "SERVICE_ACCOUNT") {
        assert.isNull(user.logged_in_at)
      } else {
        assert.isTrue(user.verified)
        assert.match(user.logged_in_at ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
        assert.isAbove(Date.parse(user.logged_in_at!), Date.parse(user.created_at))
      }
    }
    for (const row of [...medium.user_groups, ...medium.team_users, ...medium.team_connections]) {
      assert.match(row.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
    }
  })

  it("role mixes look like real accounts", () => {
    const accountRoles = countBy(medium.users, (user) => String(user.role))
    const admins = accountRoles.get("Account Administrator") ?? 0
    assert.isAtLeast(admins, 1)
    assert.isBelow(admins, 50)
    assert.isAbove((accountRoles.get("Account Reviewer") ?? 0) + (accountRoles.get("Account Analyst") ?? 0), 600)
    assert.strictEqual(accountRoles.get("null"), 100)
    const groupRoles = countBy(medium.user_groups, (row) => row.role)
    assert.isAbove((groupRoles.get("View Destination") ?? 0) + (groupRoles.get("Edit Destination") ?? 0), medium.user_groups.length / 2)
    const teamRoles = countBy(medium.team_users, (row) => row.role)
    assert.isAbove(teamRoles.get("Team Member") ?? 0, (teamRoles.get("Team Manager") ?? 0) * 3)
    assert.isAbove(teamRoles.get("Team Manager") ?? 0, 0)
    const custom = new Set(medium.roles.filter((role) => role.is_custom).map((role) => role.name))
    assert.isTrue(medium.user_groups.some((row) => custom.has(row.role)))
    assert.isTrue(medium.users.some((user) => user.role !== null && custom.has(user.role)))
  })

  it("deprecated role names appear in memberships only when their share is positive", () => {
    const deprecated = new Set(standardRoles.filter((role) => role.is_deprecated === true).map((role) => role.name))
    const rows = (
      snapshot: AccountSnapshot
    ) => [...snapshot.user_groups, ...snapshot.user_connections, ...snapshot.team_groups, ...snapshot.team_connections]
    assert.isTrue(rows(medium).some((row) => deprecated.has(row.role)))
    const none = generate({ ...presets.medium, seed: 7, deprecatedRoleShare: 0 })
    assert.strictEqual(rows(none).filter((row) => deprecated.has(row.role)).length, 0)
  })

  it("names of groups, teams and connection schemas are valid and unique", () => {
    assert.strictEqual(new Set(medium.groups.map((group) => group.name)).size, medium.groups.length)
    for (const group of medium.groups) assert.match(group.name, /^[A-Za-z_][A-Za-z0-9_]*$/)
    assert.strictEqual(new Set(medium.teams.map((team) => team.name)).size, medium.teams.length)
    for (const team of medium.teams) assert.match(team.name, /^[A-Z][A-Za-z ]+[A-Za-z0-9]$/)
    const schemas = medium.connections.map((connection) => `${connection.group_id}/${connection.schema}`)
    assert.strictEqual(new Set(schemas).size, schemas.length)
  })

  it("membership counts stay in their ranges; users without an account role hold a group role", () => {
    const options = {
      ...presets.small,
      seed: 11,
      users: 200,
      groups: 5,
      groupsPerUser: { min: 0, max: 3 },
      usersPerTeam: { min: 4, max: 6 }
    }
    const snapshot = generate(options)
    const perUser = countBy(snapshot.user_groups, (row) => row.user_id)
    for (const user of snapshot.users) {
      const count = perUser.get(user.id) ?? 0
      assert.isAtMost(count, 3)
      if (user.role === null) assert.isAtLeast(count, 1)
    }
    const perTeam = countBy(snapshot.team_users, (row) => row.team_id)
    for (const team of snapshot.teams) assert.include([4, 5, 6], perTeam.get(team.id) ?? 0)
    const capped = generate({ ...options, groups: 2, groupsPerUser: { min: 3, max: 3 } })
    assert.strictEqual(capped.user_groups.length, 400)
  })
})

describe("generate: edge sizes", () => {
  const empty = { min: 0, max: 0 }
  const minimal = {
    ...presets.small,
    seed: 3,
    users: 1,
    groups: 0,
    teams: 0,
    connections: 0,
    customRoles: 0,
    groupsPerUser: { min: 1, max: 2 },
    connectionsPerUser: empty,
    usersPerTeam: empty,
    groupsPerTeam: empty,
    connectionsPerTeam: empty
  }
  it("one user and nothing else is a valid account owned by its administrator", () => {
    const snapshot = generate({ ...minimal, invitedShare: 1, suspendedShare: 0, serviceAccountShare: 0, noAccountRoleShare: 1 })
    assert.deepStrictEqual(Schema.decodeUnknownSync(AccountSnapshot)(snapshot), snapshot)
    assert.deepStrictEqual(snapshot.users.map((user) => [user.role, user.active, user.invited]), [["Account Administrator", true, false]])
    assert.deepStrictEqual(
      [snapshot.groups.length, snapshot.user_groups.length, snapshot.team_users.length, snapshot.roles.length],
      [0, 0, 0, standardRoles.length]
    )
    assert.strictEqual(snapshot.credentials.length, 2)
  })
  it("shares of 1 apply to every user but the owner", () => {
    const snapshot = generate({ ...minimal, users: 10, invitedShare: 1, suspendedShare: 0, serviceAccountShare: 0 })
    assert.deepStrictEqual(snapshot.users.map((user) => user.invited), [false, ...Array<boolean>(9).fill(true)])
  })
})

describe("generate: credentials", () => {
  it("a user key for an active administrator and a system key with MANAGE on everything", () => {
    const [userKey, systemKey] = small.credentials
    assert.strictEqual(small.credentials.length, 2)
    assert.strictEqual(userKey?._tag, "UserKey")
    assert.strictEqual(systemKey?._tag, "SystemKey")
    if (userKey?._tag !== "UserKey" || systemKey?._tag !== "SystemKey") return
    const owner = small.users.find((user) => user.id === userKey.user_id)
    assert.deepStrictEqual([owner?.role, owner?.active, owner?.invited], ["Account Administrator", true, false])
    assert.deepStrictEqual(
      systemKey.permissions.map((permission) => `${permission.resource_type}:${permission.access_level}`),
      ["ACCOUNT:MANAGE", "USER:MANAGE", "ROLES:MANAGE", "TEAM:MANAGE", "DESTINATION:MANAGE", "CONNECTOR:MANAGE"]
    )
    for (const credential of small.credentials) {
      assert.match(credential.key, /^sandbox_key_[0-9a-f]{16}$/)
      assert.match(credential.secret, /^[0-9a-f]{32}$/)
    }
    assert.notStrictEqual(userKey.key, systemKey.key)
  })

  it("addSystemKey adds a deterministic key with the given permissions and a fresh id", () => {
    const withoutTeam = fullAccessPermissions.filter((permission) => permission.resource_type !== "TEAM")
    const first = addSystemKey(small, withoutTeam)
    const second = addSystemKey(small, withoutTeam)
    assert.deepStrictEqual(first, second)
    assert.deepStrictEqual(first.snapshot.credentials, [...small.credentials, first.credential])
    assert.deepStrictEqual(first.credential.permissions, withoutTeam)
    assert.notInclude(entityIds(small), first.credential.system_key_id)
    assert.strictEqual(small.credentials.length, 2)
    const third = addSystemKey(first.snapshot, withoutTeam)
    assert.notStrictEqual(third.credential.key, first.credential.key)
    assert.notStrictEqual(third.credential.system_key_id, first.credential.system_key_id)
  })
})

describe("GeneratorOptions", () => {
  const decode = Schema.decodeUnknownEither(GeneratorOptions)
  const message = (input: unknown) => Either.match(decode(input), { onLeft: (error) => error.message, onRight: () => "accepted" })
  it("accepts every preset", () => {
    for (const preset of Object.values(presets)) assert.isTrue(Either.isRight(decode({ ...preset, seed: 1 })))
  })
  it("rejects inverted ranges, oversubscribed shares and connections without groups", () => {
    assert.include(message({ ...presets.small, seed: 1, usersPerTeam: { min: 5, max: 2 } }), "min (5) must not exceed max (2)")
    assert.include(message({ ...presets.small, seed: 1, invitedShare: 0.6, suspendedShare: 0.5 }), "must not exceed 1")
    assert.include(message({ ...presets.small, seed: 1, groups: 0 }), "connections need at least one group")
    assert.include(message({ ...presets.small, seed: 1, users: 0 }), "users")
    assert.include(message({ ...presets.small, seed: -1 }), "seed")
  })
})
