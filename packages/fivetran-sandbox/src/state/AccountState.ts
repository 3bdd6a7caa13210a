import type {
  AccountInfo,
  AddMembershipRequest,
  Connection,
  CreateConnectionRequest,
  CreateTeamRequest,
  Group,
  InviteUserRequest,
  Membership,
  Role,
  RoleScope,
  Team,
  TeamUserMembership,
  UpdateTeamRequest,
  UpdateUserRequest,
  User
} from "@baton-fivetran/fivetran-client"
import { Effect } from "effect"
import {
  type ApiError,
  conflict,
  connectionNotFound,
  groupNotFound,
  invalidInput,
  membershipNotFound,
  teamNotFound,
  userNotFound,
  userNotFoundByEmail
} from "../http/ApiError.js"
import { IdAllocator } from "../generator/IdAllocator.js"
import { Prng, seedFromString } from "../generator/Prng.js"
import type { UserListFilter } from "../http/UserListFilter.js"
import type { AccountSnapshot, Credential } from "./AccountSnapshot.js"
import { byCreation } from "./CreationOrder.js"
import { type MembershipEntry, Relation } from "./Relation.js"

/** The role a group's creator receives (docs/fivetran-api.md §3.1: the creator becomes a member). */
export const GROUP_CREATOR_ROLE = "Manage Destination"

const ADMINISTRATOR = "Account Administrator"

/** Group names must start with a letter or underscore, then letters, digits, underscores (docs/fivetran-api.md §3.1). */
const GROUP_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** `created_at` in Fivetran's microsecond form, e.g. `2025-05-06T12:00:01.554000Z`. */
export const isoMicros = (millis: number): string => new Date(millis).toISOString().replace("Z", "000Z")

export interface AccountStateOptions {
  /** Seeds the ids of entities created through the API; default derived from the account id. */
  readonly seed?: number
  /** List account-role holders in every group's users with role null (default true; see groupUsers). */
  readonly groupUsersIncludeAccountRoles?: boolean
  /** The status refusing an invitation of an email already in the account (default 409; see inviteUser). */
  readonly emailInUseStatus?: EmailInUseStatus
}

/** How Fivetran refuses an email already in the account is UNCONFIRMED: 409 or 400 are both plausible. */
export type EmailInUseStatus = 409 | 400

/** The five membership relations, named by their API path (owner/target). */
export type MembershipKind = "userGroups" | "userConnections" | "teamGroups" | "teamConnections" | "teamUsers"

interface KindSpec {
  readonly relation: Relation
  readonly owner: (id: string) => ApiError | undefined
  readonly target: (id: string) => ApiError | undefined
  readonly scope: RoleScope
  /** Which id is the member: the path's owner, except in `/v1/teams/{team}/users/{user}`. */
  readonly member: "owner" | "target"
}

/** A membership's two ids as messages name them: the member, then what it is a member of. */
const memberAndContainer = (spec: KindSpec, owner: string, target: string) =>
  spec.member === "owner" ? { member: owner, container: target } : { member: target, container: owner }

/** User ids in creation order, and each id's place in it. */
interface CreationRanks {
  readonly ids: ReadonlyArray<string>
  readonly rank: ReadonlyMap<string, number>
}

/** The users who hold an account role, oldest first, and how many of them precede each creation rank. */
interface Holders {
  readonly users: ReadonlyArray<User>
  /** `before[r]`: the holders older than the user of rank `r` (`before[ids.length]`: all of them). */
  readonly before: Int32Array
}

/**
 * Groups whose rows are kept between pages. A sync pages through as many groups at once as its
 * concurrency; with fewer kept than that (16 until now), at concurrency 32 every page rebuilt its
 * group's rows from all users, most of the sandbox's CPU time. An entry is the group's member rows
 * (the holders are shared): a few KB.
 */
const GROUP_USERS_CACHE_SIZE = 64

/**
 * The whole account in memory, indexed for the API: entities in insertion-ordered Maps by id,
 * memberships in two-way relations. Every method is synchronous inside its Effect, so each request
 * sees and leaves a consistent state (Node runs one handler step at a time).
 */
export class AccountState {
  private readonly account: AccountSnapshot["account"]
  private readonly roles = new Map<string, Role>()
  private readonly users = new Map<string, User>()
  private readonly userIdByEmail = new Map<string, string>()
  private readonly groups = new Map<string, Group>()
  private readonly teams = new Map<string, Team>()
  private readonly connections = new Map<string, Connection>()
  private readonly credentials = new Map<string, Credential>()
  private readonly userGroups = new Relation()
  private readonly userConnections = new Relation()
  private readonly teamUsers = new Relation()
  private readonly teamGroups = new Relation()
  private readonly teamConnections = new Relation()
  private readonly ids: IdAllocator
  /** Recently listed groups' user lists (they merge members with account-role holders). */
  private readonly groupUsersCache = new Map<string, GroupUserRows>()
  /**
   * User ids by `created_at`, then id: the order of group user lists. Only an invitation or a
   * deletion changes it (ids and `created_at` never change), so it is dropped only then.
   */
  private usersByCreation: CreationRanks | undefined
  /**
   * The account-role holders in that order: every group's user list but for its members. Any write
   * to a user (its object, and maybe its role, is replaced) drops it.
   */
  private accountRoleHolders: Holders | undefined

  constructor(
    snapshot: AccountSnapshot,
    private readonly options: AccountStateOptions = {}
  ) {
    this.account = snapshot.account
    for (const role of snapshot.roles) this.roles.set(role.name, role)
    for (const user of snapshot.users) {
      this.users.set(user.id, user)
      if (user.email !== "") this.userIdByEmail.set(user.email.toLowerCase(), user.id)
    }
    for (const group of snapshot.groups) this.groups.set(group.id, group)
    for (const team of snapshot.teams) this.teams.set(team.id, team)
    for (const connection of snapshot.connections) this.connections.set(connection.id, connection)
    for (const credential of snapshot.credentials) this.credentials.set(credential.key, credential)
    for (const row of snapshot.user_groups) this.userGroups.add(entry(row.user_id, row.group_id, row))
    for (const row of snapshot.user_connections) {
      this.userConnections.add(entry(row.user_id, row.connection_id, row))
    }
    for (const row of snapshot.team_users) this.teamUsers.add(entry(row.team_id, row.user_id, row))
    for (const row of snapshot.team_groups) this.teamGroups.add(entry(row.team_id, row.group_id, row))
    for (const row of snapshot.team_connections) {
      this.teamConnections.add(entry(row.team_id, row.connection_id, row))
    }
    // Seeded, so the same requests against the same state create the same ids.
    this.ids = new IdAllocator(new Prng(options.seed ?? seedFromString(snapshot.account.account_id)), [
      snapshot.account.account_id,
      ...this.users.keys(),
      ...this.groups.keys(),
      ...this.teams.keys(),
      ...this.connections.keys(),
      ...snapshot.credentials.flatMap((c) => (c._tag === "SystemKey" ? [c.system_key_id] : []))
    ])
  }

  /** The current state in the snapshot format (entities and rows in their serving order). */
  toSnapshot(): AccountSnapshot {
    const rows = <O extends string, T extends string>(relation: Relation, owner: O, target: T) =>
      Array.from(relation.all(), (e) =>
        ({ [owner]: e.owner, [target]: e.target, role: e.role, created_at: e.created_at }) as
          & { [P in O | T]: string }
          & { role: string; created_at: string })
    return {
      account: this.account,
      roles: [...this.roles.values()],
      users: [...this.users.values()],
      groups: [...this.groups.values()],
      teams: [...this.teams.values()],
      connections: [...this.connections.values()],
      user_groups: rows(this.userGroups, "user_id", "group_id"),
      user_connections: rows(this.userConnections, "user_id", "connection_id"),
      team_users: rows(this.teamUsers, "team_id", "user_id"),
      team_groups: rows(this.teamGroups, "team_id", "group_id"),
      team_connections: rows(this.teamConnections, "team_id", "connection_id"),
      credentials: [...this.credentials.values()]
    }
  }

  credential(key: string): Credential | undefined {
    return this.credentials.get(key)
  }

  /** The account role a user key acts with; `undefined` if its user is gone. */
  accountRoleOf(userId: string): string | null | undefined {
    return this.users.get(userId)?.role
  }

  accountInfo(caller: Credential): AccountInfo {
    return {
      account_id: this.account.account_id,
      account_name: this.account.account_name,
      user_id: caller._tag === "UserKey" ? caller.user_id : null,
      system_key_id: caller._tag === "SystemKey" ? caller.system_key_id : null
    }
  }

  // ---- reads -------------------------------------------------------------------------------

  listRoles(): ReadonlyArray<Role> {
    return [...this.roles.values()]
  }

  /** `GET /v1/users`: every user the filter keeps, in insertion order. */
  listUsers(filter: UserListFilter): ReadonlyArray<User> {
    const keyOwners = filter.has_api_key === undefined ? undefined : this.userKeyOwners()
    return [...this.users.values()].filter((user) =>
      (filter.active === undefined || user.active === filter.active) &&
      // A user without user_type predates service accounts: a regular user.
      (filter.user_type === undefined || (user.user_type ?? "REGULAR_USER") === filter.user_type) &&
      (keyOwners === undefined || keyOwners.has(user.id) === filter.has_api_key)
    )
  }

  /** Users who own a user API key (system keys belong to no user). */
  private userKeyOwners(): ReadonlySet<string> {
    const owners = new Set<string>()
    for (const credential of this.credentials.values()) {
      if (credential._tag === "UserKey") owners.add(credential.user_id)
    }
    return owners
  }

  getUser(userId: string): Effect.Effect<User, ApiError> {
    const user = this.users.get(userId)
    return user === undefined ? Effect.fail(userNotFound(userId)) : Effect.succeed(user)
  }

  listGroups(): ReadonlyArray<Group> {
    return [...this.groups.values()]
  }

  getGroup(groupId: string): Effect.Effect<Group, ApiError> {
    const group = this.groups.get(groupId)
    return group === undefined ? Effect.fail(groupNotFound(groupId)) : Effect.succeed(group)
  }

  /**
   * `GET /v1/groups/{id}/users`: the group's members with their group role, plus every user who
   * holds an account role, with role `null` (docs/fivetran-api.md §3.2, INFERRED); sorted by the
   * users' `created_at`, then id (§1.6).
   */
  groupUsers(groupId: string): Effect.Effect<GroupUserRows, ApiError> {
    return Effect.suspend(() => {
      if (!this.groups.has(groupId)) return Effect.fail(groupNotFound(groupId))
      let rows = this.groupUsersCache.get(groupId)
      if (rows === undefined) {
        rows = this.buildGroupUsers(groupId)
        if (this.groupUsersCache.size >= GROUP_USERS_CACHE_SIZE) {
          this.groupUsersCache.delete(this.groupUsersCache.keys().next().value!)
        }
      } else {
        this.groupUsersCache.delete(groupId)
      }
      this.groupUsersCache.set(groupId, rows)
      return Effect.succeed(rows)
    })
  }

  /**
   * A group's rows: its few members, ordered by creation rank, merged into the account-role holders
   * (a list shared by every group) rather than every user looked up and tested per group.
   */
  private buildGroupUsers(groupId: string): GroupUserRows {
    const ranks = this.userCreationRanks()
    const holders = this.holders()
    const members: Array<{ readonly rank: number; readonly user: User; readonly role: string }> = []
    for (const entry of this.userGroups.ofTarget(groupId).values()) {
      const rank = ranks.rank.get(entry.owner)
      // A membership of a user the account does not hold is not listed (the users are what is listed).
      if (rank !== undefined) members.push({ rank, user: this.users.get(entry.owner)!, role: entry.role })
    }
    members.sort((a, b) => a.rank - b.rank)
    const rows: Array<GroupMemberRow> = []
    // Holders listed so far: those older than the member, less the members among them.
    let listedHolders = 0
    for (const member of members) {
      const before = holders.before[member.rank]!
      // A member who holds an account role is listed once, as a member.
      const isHolder = holders.before[member.rank + 1]! > before
      rows.push({
        row: before - listedHolders + rows.length,
        user: member.user,
        role: member.role,
        nextHolder: before + (isHolder ? 1 : 0)
      })
      if (isHolder) listedHolders++
    }
    return { size: holders.users.length - listedHolders + rows.length, holders: holders.users, members: rows }
  }

  private userCreationRanks(): CreationRanks {
    if (this.usersByCreation === undefined) {
      const ids = byCreation(this.users.values()).map((user) => user.id)
      this.usersByCreation = { ids, rank: new Map(ids.map((id, rank) => [id, rank])) }
    }
    return this.usersByCreation
  }

  /** The account-role holders oldest first (none when group lists leave them out). */
  private holders(): Holders {
    if (this.accountRoleHolders === undefined) {
      const { ids } = this.userCreationRanks()
      const include = this.options.groupUsersIncludeAccountRoles ?? true
      const users: Array<User> = []
      const before = new Int32Array(ids.length + 1)
      for (let rank = 0; rank < ids.length; rank++) {
        before[rank] = users.length
        const user = this.users.get(ids[rank]!)!
        if (include && user.role !== null) users.push(user)
      }
      before[ids.length] = users.length
      this.accountRoleHolders = { users, before }
    }
    return this.accountRoleHolders
  }

  listTeams(): ReadonlyArray<Team> {
    return [...this.teams.values()]
  }

  getTeam(teamId: string): Effect.Effect<Team, ApiError> {
    const team = this.teams.get(teamId)
    return team === undefined ? Effect.fail(teamNotFound(teamId)) : Effect.succeed(team)
  }

  getConnection(connectionId: string): Effect.Effect<Connection, ApiError> {
    const connection = this.connections.get(connectionId)
    return connection === undefined ? Effect.fail(connectionNotFound(connectionId)) : Effect.succeed(connection)
  }

  /**
   * Creates a connection in a group. Its schema is `config.schema`, else the service name; a group
   * holds one connection per schema (409 otherwise). `connected_by` is the user key's owner.
   */
  createConnection(body: CreateConnectionRequest, creator: string | undefined, now: number): Effect.Effect<Connection, ApiError> {
    return Effect.flatMap(this.getGroup(body.group_id), () => {
      const schema = body.config?.schema ?? body.service
      const taken = this.listConnections({ group_id: body.group_id, schema }).length > 0
      if (taken) return Effect.fail(conflict(`Group '${body.group_id}' already has a connection with schema '${schema}'`))
      const connection: Connection = {
        id: this.ids.next(),
        group_id: body.group_id,
        service: body.service,
        schema,
        connected_by: creator ?? null,
        created_at: isoMicros(now),
        paused: body.paused ?? false,
        status: { setup_state: "incomplete", sync_state: "scheduled" }
      }
      this.connections.set(connection.id, connection)
      this.changed()
      return Effect.succeed(connection)
    })
  }

  /** Deletes a connection with its user and team memberships. */
  deleteConnection(connectionId: string): Effect.Effect<void, ApiError> {
    return Effect.map(this.getConnection(connectionId), () => {
      this.connections.delete(connectionId)
      this.userConnections.removeTarget(connectionId)
      this.teamConnections.removeTarget(connectionId)
      this.changed()
    })
  }

  listConnections(filter: { readonly group_id?: string | undefined; readonly schema?: string | undefined }) {
    const all = [...this.connections.values()]
    return all.filter((c) =>
      (filter.group_id === undefined || c.group_id === filter.group_id) &&
      (filter.schema === undefined || c.schema === filter.schema)
    )
  }

  // ---- memberships (user→group, user→connection, team→group, team→connection, team→user) ----

  private spec(kind: MembershipKind): KindSpec {
    const user = (id: string) => (this.users.has(id) ? undefined : userNotFound(id))
    const group = (id: string) => (this.groups.has(id) ? undefined : groupNotFound(id))
    const team = (id: string) => (this.teams.has(id) ? undefined : teamNotFound(id))
    const connection = (id: string) => (this.connections.has(id) ? undefined : connectionNotFound(id))
    switch (kind) {
      case "userGroups":
        return { relation: this.userGroups, owner: user, target: group, scope: "DESTINATION", member: "owner" }
      case "userConnections":
        return { relation: this.userConnections, owner: user, target: connection, scope: "CONNECTOR", member: "owner" }
      case "teamGroups":
        return { relation: this.teamGroups, owner: team, target: group, scope: "DESTINATION", member: "owner" }
      case "teamConnections":
        return { relation: this.teamConnections, owner: team, target: connection, scope: "CONNECTOR", member: "owner" }
      case "teamUsers":
        return { relation: this.teamUsers, owner: team, target: user, scope: "TEAM", member: "target" }
    }
  }

  listMemberships(kind: MembershipKind, owner: string): Effect.Effect<ReadonlyArray<MembershipEntry>, ApiError> {
    return Effect.suspend(() => {
      const spec = this.spec(kind)
      const missing = spec.owner(owner)
      return missing ? Effect.fail(missing) : Effect.succeed([...spec.relation.ofOwner(owner).values()])
    })
  }

  getMembership(kind: MembershipKind, owner: string, target: string): Effect.Effect<MembershipEntry, ApiError> {
    return Effect.suspend(() => {
      const spec = this.spec(kind)
      const missing = spec.owner(owner) ?? spec.target(target)
      if (missing) return Effect.fail(missing)
      const found = spec.relation.get(owner, target)
      if (found) return Effect.succeed(found)
      const { container, member } = memberAndContainer(spec, owner, target)
      return Effect.fail(membershipNotFound(member, container))
    })
  }

  addMembership(
    kind: MembershipKind,
    owner: string,
    body: AddMembershipRequest,
    now: number
  ): Effect.Effect<MembershipEntry, ApiError> {
    return Effect.suspend(() => {
      const spec = this.spec(kind)
      const missing = spec.owner(owner) ?? spec.target(body.id) ?? this.roleError(body.role, spec.scope)
      if (missing) return Effect.fail(missing)
      const existing = spec.relation.get(owner, body.id)
      if (existing) {
        const { container, member } = memberAndContainer(spec, owner, body.id)
        return Effect.fail(conflict(`'${member}' already has role '${existing.role}' in '${container}'; change it with PATCH`))
      }
      const added: MembershipEntry = { owner, target: body.id, role: body.role, created_at: isoMicros(now) }
      spec.relation.add(added)
      this.changed()
      return Effect.succeed(added)
    })
  }

  updateMembership(
    kind: MembershipKind,
    owner: string,
    target: string,
    role: string
  ): Effect.Effect<MembershipEntry, ApiError> {
    return Effect.flatMap(this.getMembership(kind, owner, target), (found) => {
      const wrong = this.roleError(role, this.spec(kind).scope)
      if (wrong) return Effect.fail(wrong)
      found.role = role
      this.changed()
      return Effect.succeed(found)
    })
  }

  removeMembership(kind: MembershipKind, owner: string, target: string): Effect.Effect<void, ApiError> {
    return Effect.map(this.getMembership(kind, owner, target), () => {
      this.spec(kind).relation.remove(owner, target)
      this.changed()
    })
  }

  // ---- users ---------------------------------------------------------------------------------

  /**
   * `admit` runs once the invitation is known to be valid (role, email, no conflict), just before the
   * user is created: a refused invitation spends none of the user-creation budget.
   */
  inviteUser(
    body: InviteUserRequest,
    now: number,
    admit: () => ApiError | undefined = () => undefined
  ): Effect.Effect<User, ApiError> {
    return Effect.suspend(() => {
      const wrongRole = body.role === undefined ? undefined : this.roleError(body.role, "ACCOUNT")
      if (wrongRole) return Effect.fail(wrongRole)
      const serviceAccount = body.user_type === "SERVICE_ACCOUNT"
      // A service account may have no email (docs/fivetran-api.md §2.1, newer docs): stored as "".
      if (body.email === undefined && !serviceAccount) return Effect.fail(invalidInput("Invalid field 'email': is missing"))
      const email = body.email?.trim() ?? ""
      if (body.email !== undefined && !email.includes("@")) {
        return Effect.fail(invalidInput(`Invalid field 'email': '${body.email}' is not an email`))
      }
      if (email !== "" && this.userIdByEmail.has(email.toLowerCase())) {
        return Effect.fail(
          this.options.emailInUseStatus === 400
            ? invalidInput(`Invalid field 'email': a user with email '${email}' already exists in the account`)
            : conflict(`A user with email '${email}' already exists in the account`)
        )
      }
      const refused = admit()
      if (refused) return Effect.fail(refused)
      const user: User = {
        id: this.ids.next(),
        email,
        given_name: body.given_name,
        family_name: body.family_name,
        // Service accounts are created at once, without an invitation (docs/fivetran-api.md §2.1, newer docs).
        verified: serviceAccount,
        invited: !serviceAccount,
        picture: body.picture ?? null,
        phone: body.phone ?? null,
        role: body.role ?? null,
        logged_in_at: null,
        created_at: isoMicros(now),
        active: true,
        user_type: body.user_type ?? "REGULAR_USER"
      }
      this.users.set(user.id, user)
      if (email !== "") this.userIdByEmail.set(email.toLowerCase(), user.id)
      this.usersByCreation = undefined
      this.accountRoleHolders = undefined
      this.changed()
      return Effect.succeed(user)
    })
  }

  updateUser(userId: string, body: UpdateUserRequest): Effect.Effect<User, ApiError> {
    return Effect.flatMap(this.getUser(userId), (user) => {
      if (body.role !== undefined) {
        const wrong = this.roleError(body.role, "ACCOUNT") ?? this.lastAdministratorError(user, body.role)
        if (wrong) return Effect.fail(wrong)
      }
      const updated: User = {
        ...user,
        ...(body.given_name === undefined ? {} : { given_name: body.given_name }),
        ...(body.family_name === undefined ? {} : { family_name: body.family_name }),
        ...(body.role === undefined ? {} : { role: body.role }),
        ...(body.phone === undefined ? {} : { phone: body.phone }),
        ...(body.picture === undefined ? {} : { picture: body.picture })
      }
      this.users.set(userId, updated)
      this.accountRoleHolders = undefined
      this.changed()
      return Effect.succeed(updated)
    })
  }

  /** Deletes the user, its memberships everywhere and its API keys (docs/fivetran-api.md §8: the key dies with its user). */
  deleteUser(userId: string): Effect.Effect<void, ApiError> {
    return Effect.flatMap(this.getUser(userId), (user) => {
      const wrong = this.lastAdministratorError(user, null)
      if (wrong) return Effect.fail(wrong)
      this.users.delete(userId)
      this.userIdByEmail.delete(user.email.toLowerCase())
      this.userGroups.removeOwner(userId)
      this.userConnections.removeOwner(userId)
      this.teamUsers.removeTarget(userId)
      for (const [key, credential] of [...this.credentials]) {
        if (credential._tag === "UserKey" && credential.user_id === userId) this.credentials.delete(key)
      }
      this.usersByCreation = undefined
      this.accountRoleHolders = undefined
      this.changed()
      return Effect.void
    })
  }

  deleteUserRole(userId: string): Effect.Effect<void, ApiError> {
    return Effect.flatMap(this.getUser(userId), (user) => {
      const wrong = this.lastAdministratorError(user, null)
      if (wrong) return Effect.fail(wrong)
      this.users.set(userId, { ...user, role: null })
      this.accountRoleHolders = undefined
      this.changed()
      return Effect.void
    })
  }

  // ---- groups --------------------------------------------------------------------------------

  /** Creates a group; a user key's owner becomes its first member (docs/fivetran-api.md §3.1). */
  createGroup(name: string, creator: string | undefined, now: number): Effect.Effect<Group, ApiError> {
    return Effect.suspend(() => {
      const wrong = groupNameError(name)
      if (wrong) return Effect.fail(wrong)
      const created_at = isoMicros(now)
      const group: Group = { id: this.ids.next(), name, created_at }
      this.groups.set(group.id, group)
      if (creator !== undefined && this.users.has(creator)) {
        this.userGroups.add({ owner: creator, target: group.id, role: GROUP_CREATOR_ROLE, created_at })
      }
      this.changed()
      return Effect.succeed(group)
    })
  }

  renameGroup(groupId: string, name: string): Effect.Effect<Group, ApiError> {
    return Effect.flatMap(this.getGroup(groupId), (group) => {
      const wrong = groupNameError(name)
      if (wrong) return Effect.fail(wrong)
      const renamed: Group = { ...group, name }
      this.groups.set(groupId, renamed)
      this.changed()
      return Effect.succeed(renamed)
    })
  }

  /** Deletes the group with its connections (a group is a destination) and all their memberships. */
  deleteGroup(groupId: string): Effect.Effect<void, ApiError> {
    return Effect.map(this.getGroup(groupId), () => {
      this.groups.delete(groupId)
      this.userGroups.removeTarget(groupId)
      this.teamGroups.removeTarget(groupId)
      for (const connection of [...this.connections.values()]) {
        if (connection.group_id !== groupId) continue
        this.connections.delete(connection.id)
        this.userConnections.removeTarget(connection.id)
        this.teamConnections.removeTarget(connection.id)
      }
      this.changed()
    })
  }

  /** `POST /v1/groups/{id}/users`: the user is named by email and must exist (docs/fivetran-api.md §3.2). */
  addGroupUserByEmail(groupId: string, email: string, role: string, now: number): Effect.Effect<void, ApiError> {
    return Effect.flatMap(this.getGroup(groupId), () => {
      const userId = this.userIdByEmail.get(email.trim().toLowerCase())
      if (userId === undefined) return Effect.fail(userNotFoundByEmail(email))
      return Effect.asVoid(this.addMembership("userGroups", userId, { id: groupId, role }, now))
    })
  }

  // ---- teams ---------------------------------------------------------------------------------

  createTeam(body: CreateTeamRequest): Effect.Effect<Team, ApiError> {
    return Effect.suspend(() => {
      const wrong = nonEmpty("name", body.name) ?? this.roleError(body.role, "ACCOUNT")
      if (wrong) return Effect.fail(wrong)
      const team: Team = { id: this.ids.next(), name: body.name, description: body.description ?? null, role: body.role }
      this.teams.set(team.id, team)
      this.changed()
      return Effect.succeed(team)
    })
  }

  updateTeam(teamId: string, body: UpdateTeamRequest): Effect.Effect<Team, ApiError> {
    return Effect.flatMap(this.getTeam(teamId), (team) => {
      const wrong = (body.name === undefined ? undefined : nonEmpty("name", body.name)) ??
        (body.role === undefined ? undefined : this.roleError(body.role, "ACCOUNT"))
      if (wrong) return Effect.fail(wrong)
      const updated: Team = {
        ...team,
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.description === undefined ? {} : { description: body.description }),
        ...(body.role === undefined ? {} : { role: body.role })
      }
      this.teams.set(teamId, updated)
      this.changed()
      return Effect.succeed(updated)
    })
  }

  deleteTeam(teamId: string): Effect.Effect<void, ApiError> {
    return Effect.map(this.getTeam(teamId), () => {
      this.teams.delete(teamId)
      this.teamUsers.removeOwner(teamId)
      this.teamGroups.removeOwner(teamId)
      this.teamConnections.removeOwner(teamId)
      this.changed()
    })
  }

  deleteTeamRole(teamId: string): Effect.Effect<void, ApiError> {
    return Effect.map(this.getTeam(teamId), (team) => {
      this.teams.set(teamId, { ...team, role: null })
      this.changed()
    })
  }

  // ---- rules ---------------------------------------------------------------------------------

  /** A role name must be in the catalog and carry the scope of where it is used. */
  private roleError(name: string, scope: RoleScope): ApiError | undefined {
    const role = this.roles.get(name)
    if (role !== undefined && role.scope.includes(scope)) return undefined
    const valid = [...this.roles.values()].filter((r) => r.scope.includes(scope)).map((r) => r.name)
    const what = role === undefined ? "is not a role of this account" : `is not a role of scope ${scope}`
    return invalidInput(`Invalid field 'role': '${name}' ${what}; valid ${scope} roles: ${valid.join(", ")}`)
  }

  /** The account keeps at least one Account Administrator (refused per OAS24; the 409 is our choice). */
  private lastAdministratorError(user: User, newRole: string | null): ApiError | undefined {
    if (user.role !== ADMINISTRATOR || newRole === ADMINISTRATOR) return undefined
    for (const other of this.users.values()) {
      if (other.id !== user.id && other.role === ADMINISTRATOR) return undefined
    }
    return conflict(`User '${user.id}' is the last Account Administrator; the account must keep one`)
  }

  private changed(): void {
    this.groupUsersCache.clear()
  }
}

/**
 * The rows of `GET /v1/groups/{id}/users`, oldest user first, as runs: the account-role holders
 * shown with role null (one list, the same for every group) with the group's members placed among
 * them, a member who holds an account role in place of its holder row. Holder row `i` after member
 * `m` (the last member before it) is `holders[m.nextHolder + i - m.row - 1]`, before any member
 * `holders[i]`. A page is then a few runs of holders' rows, which are alike in every group.
 */
export interface GroupUserRows {
  readonly size: number
  /** The account-role holders oldest first: the same array for every group until a user changes. */
  readonly holders: ReadonlyArray<User>
  /** The group's members in row order. */
  readonly members: ReadonlyArray<GroupMemberRow>
}

export interface GroupMemberRow {
  /** Its index in the group's rows. */
  readonly row: number
  readonly user: User
  /** Its role in the group. */
  readonly role: string
  /** The index in `holders` of the first holder listed after it. */
  readonly nextHolder: number
}

/**
 * A user list by row: the stored user and the role it is shown with (its account role, or its role
 * in a group, or null), read by index without building a row object (only the served page is read).
 */
export interface UserRows {
  readonly size: number
  readonly user: (index: number) => User
  readonly role: (index: number) => string | null
}

/** Narrow a stored team-user entry to its wire form. */
export const teamUserMembership = (e: MembershipEntry): TeamUserMembership => ({
  user_id: e.target,
  role: e.role,
  created_at: e.created_at
})

/** Narrow a stored user/team → group/connection entry to its wire form (`id` = the target). */
export const membership = (e: MembershipEntry): Membership => ({ id: e.target, role: e.role, created_at: e.created_at })

const entry = (owner: string, target: string, row: { role: string; created_at: string }): MembershipEntry => ({
  owner,
  target,
  role: row.role,
  created_at: row.created_at
})

const groupNameError = (name: string) =>
  GROUP_NAME.test(name)
    ? undefined
    : invalidInput(
      `Invalid field 'name': '${name}' must start with a letter or underscore and contain only letters, digits and underscores`
    )

const nonEmpty = (field: string, value: string) =>
  value.trim() === "" ? invalidInput(`Invalid field '${field}': must not be empty`) : undefined
