import { Chunk, Effect, Either, Option, Schema, Stream } from "effect"
import { checkedConfig } from "./CheckedConfig.js"
import type { FivetranClientShape, MembershipApi } from "./FivetranClientShape.js"
import type { FivetranClientConfig } from "./FivetranClientConfig.js"
import { type FivetranError, InvalidResponse } from "./FivetranError.js"
import { type FivetranRequest, makeFivetranHttp } from "./FivetranHttp.js"
import { warnOfPlainHttp } from "./PlainHttp.js"
import { AccountInfo } from "./schemas/AccountInfo.js"
import { Connection } from "./schemas/Connection.js"
import { perSchema } from "./SchemaCache.js"
import { DataEnvelope, type Page, PageEnvelope } from "./schemas/Envelope.js"
import { AddGroupUserRequest, Group, GroupNameRequest } from "./schemas/Group.js"
import { GroupMembersPage } from "./schemas/GroupMember.js"
import { AddMembershipRequest, Membership, UpdateRoleRequest } from "./schemas/Membership.js"
import { Role } from "./schemas/Role.js"
import { AddTeamUserRequest, CreateTeamRequest, Team, TeamUserMembership, UpdateTeamRequest } from "./schemas/Team.js"
import { InviteUserRequest, UpdateUserRequest, User } from "./schemas/User.js"

/** The page size: Fivetran's maximum, so a large account costs the fewest requests. */
export const PageLimit = 1000

/** Where a request goes: the path, and the same path with its ids as `{id}` for spans and metrics. */
interface Target {
  readonly path: string
  readonly route: string
}

/** `/v1/users/${id}` with every interpolated id URL-encoded, and its route `/v1/users/{id}`. */
const at = (strings: TemplateStringsArray, ...ids: ReadonlyArray<string>): Target => ({
  path: strings.reduce((acc, part, i) => acc + part + (i < ids.length ? encodeURIComponent(ids[i]!) : ""), ""),
  route: strings.join("{id}")
})

/** A body the caller's types already guarantee; a mismatch would be a programming error. */
const encodeBody = <A, I>(schema: Schema.Schema<A, I>, value: A): Effect.Effect<I> => Effect.orDie(Schema.encode(schema)(value))

/** Envelopes built once per item schema, so each list or get reuses one compiled decoder. */
const dataEnvelopeOf = perSchema((schema: Schema.Schema.AnyNoContext) => DataEnvelope(schema))
const pageEnvelopeOf = perSchema((schema: Schema.Schema.AnyNoContext) => PageEnvelope(schema))
const dataEnvelope = <A, I>(schema: Schema.Schema<A, I>) => dataEnvelopeOf(schema) as ReturnType<typeof DataEnvelope<A, I, never>>
const pageEnvelope = <A, I>(schema: Schema.Schema<A, I>) => pageEnvelopeOf(schema) as ReturnType<typeof PageEnvelope<A, I, never>>

/** The last page is marked by `next_cursor` null, absent or empty. */
const nextCursor = (cursor: string | null | undefined): Option.Option<string> =>
  cursor === null || cursor === undefined || cursor === "" ? Option.none() : Option.some(cursor)

/**
 * The cursors one listing has followed. An upstream that answers a page with a cursor the listing
 * already followed would be paged forever: one answering every page with `"next_cursor":"same"`
 * drew 2,476 requests in 60 s from the account's shared hourly budget. The set is made on the
 * first cursor (most lists are one page) and holds one string per page of that listing only.
 */
class CursorTrail {
  private followed: Set<string> | undefined

  constructor(private readonly endpoint: string) {}

  /** The page's next cursor, to follow; fails when the listing has already followed it. */
  next(cursor: string | null | undefined): Either.Either<Option.Option<string>, InvalidResponse> {
    const next = nextCursor(cursor)
    if (Option.isNone(next)) return Either.right(next)
    this.followed ??= new Set()
    if (this.followed.has(next.value)) {
      return Either.left(
        new InvalidResponse({
          endpoint: this.endpoint,
          field: "data.next_cursor",
          // The pages so far: one without a cursor, then one per cursor followed.
          detail: `page ${this.followed.size + 1}'s cursor repeats one this listing already followed; stopped instead of paging in a loop`
        })
      )
    }
    this.followed.add(next.value)
    return Either.right(next)
  }
}

/**
 * Builds the client; its connections live as long as the scope.
 */
export const makeFivetranClient = (given: FivetranClientConfig) =>
  Effect.gen(function*() {
    const config = yield* checkedConfig(given)
    yield* warnOfPlainHttp(config.baseUrl)
    const http = yield* makeFivetranHttp(config)

    const getData = <A, I>(request: FivetranRequest, schema: Schema.Schema<A, I>): Effect.Effect<A, FivetranError> =>
      Effect.map(http.call(request, dataEnvelope(schema)), (envelope) => envelope.data)

    const write = <A, I, B, J>(
      method: "POST" | "PATCH",
      target: Target,
      bodySchema: Schema.Schema<B, J>,
      body: B,
      schema: Schema.Schema<A, I>
    ): Effect.Effect<A, FivetranError> =>
      Effect.flatMap(encodeBody(bodySchema, body), (encoded) => getData({ method, ...target, body: encoded }, schema))

    const writeVoid = <B, J>(
      method: "POST" | "PATCH",
      target: Target,
      bodySchema: Schema.Schema<B, J>,
      body: B
    ): Effect.Effect<void, FivetranError> =>
      Effect.flatMap(encodeBody(bodySchema, body), (encoded) => http.callVoid({ method, ...target, body: encoded }))

    const remove = (target: Target) => http.callVoid({ method: "DELETE", ...target })

    /** Follows `next_cursor` one page at a time; only the current page is held in memory. */
    const list = <A, I>(
      target: Target,
      item: Schema.Schema<A, I>,
      filter: Readonly<Record<string, string>> = {}
    ): Stream.Stream<A, FivetranError> => listPages(target, pagesOf(item), filter)

    /** The request for one page: the filter, Fivetran's largest page, and the cursor after the first page. */
    const pageRequest = (
      target: Target,
      filter: Readonly<Record<string, string>>,
      cursor: Option.Option<string>
    ): FivetranRequest => ({
      method: "GET",
      ...target,
      urlParams: {
        ...filter,
        limit: String(PageLimit),
        ...Option.match(cursor, { onNone: () => ({}), onSome: (c) => ({ cursor: c }) })
      }
    })

    /** As `list`, with how one page is fetched and decoded given (e.g. from its text, skipping rows). */
    const listPages = <A>(
      target: Target,
      fetchPage: (request: FivetranRequest) => Effect.Effect<{ readonly data: Page<A> }, FivetranError>,
      filter: Readonly<Record<string, string>> = {}
    ): Stream.Stream<A, FivetranError> =>
      // A trail per run of the stream: `listRoles` and the like are one stream value, run many times.
      Stream.suspend(() => {
        const trail = new CursorTrail(`GET ${target.path}`)
        return Stream.paginateChunkEffect(Option.none<string>(), (cursor) =>
          fetchPage(pageRequest(target, filter, cursor)).pipe(
            Effect.flatMap(({ data }) =>
              Either.map(trail.next(data.next_cursor), (next) => [Chunk.fromIterable(data.items), Option.map(next, Option.some)] as const)
            )
          ))
      })

    /**
     * Every page of a list, collected in order: for callers that want a whole (per-owner) list.
     * Running a stream costs far more than the loop: a sync collects over ten thousand such lists.
     */
    const collectPages = <A>(
      target: Target,
      fetchPage: (request: FivetranRequest) => Effect.Effect<{ readonly data: Page<A> }, FivetranError>
    ): Effect.Effect<ReadonlyArray<A>, FivetranError> =>
      Effect.gen(function*() {
        const items: Array<A> = []
        const trail = new CursorTrail(`GET ${target.path}`)
        let cursor = Option.none<string>()
        do {
          const { data } = yield* fetchPage(pageRequest(target, {}, cursor))
          for (const item of data.items) items.push(item)
          cursor = yield* trail.next(data.next_cursor)
        } while (Option.isSome(cursor))
        return items
      })

    const pagesOf = <A, I>(item: Schema.Schema<A, I>) => (request: FivetranRequest) => http.call(request, pageEnvelope(item))
    const groupMemberPages = (request: FivetranRequest) => http.callBytes(request, GroupMembersPage)

    const memberships = (owner: "users" | "teams", kind: "groups" | "connections"): MembershipApi => {
      const base = (ownerId: string): Target => ({
        path: `/v1/${owner}/${encodeURIComponent(ownerId)}/${kind}`,
        route: `/v1/${owner}/{id}/${kind}`
      })
      const one = (ownerId: string, targetId: string): Target => ({
        path: `${base(ownerId).path}/${encodeURIComponent(targetId)}`,
        route: `${base(ownerId).route}/{id}`
      })
      return {
        list: (ownerId) => list(base(ownerId), Membership),
        listAll: (ownerId) => collectPages(base(ownerId), pagesOf(Membership)),
        get: (ownerId, targetId) => getData({ method: "GET", ...one(ownerId, targetId) }, Membership),
        add: (ownerId, body) => write("POST", base(ownerId), AddMembershipRequest, body, Membership),
        update: (ownerId, targetId, body) => writeVoid("PATCH", one(ownerId, targetId), UpdateRoleRequest, body),
        remove: (ownerId, targetId) => remove(one(ownerId, targetId))
      }
    }

    const client: FivetranClientShape = {
      accountInfo: getData({ method: "GET", ...at`/v1/account/info` }, AccountInfo),
      listRoles: list(at`/v1/roles`, Role),

      listUsers: list(at`/v1/users`, User),
      getUser: (userId) => getData({ method: "GET", ...at`/v1/users/${userId}` }, User),
      inviteUser: (body) => write("POST", at`/v1/users`, InviteUserRequest, body, User),
      updateUser: (userId, body) => write("PATCH", at`/v1/users/${userId}`, UpdateUserRequest, body, User),
      deleteUser: (userId) => remove(at`/v1/users/${userId}`),
      deleteUserRole: (userId) => remove(at`/v1/users/${userId}/role`),
      userGroups: memberships("users", "groups"),
      userConnections: memberships("users", "connections"),

      listGroups: list(at`/v1/groups`, Group),
      getGroup: (groupId) => getData({ method: "GET", ...at`/v1/groups/${groupId}` }, Group),
      createGroup: (body) => write("POST", at`/v1/groups`, GroupNameRequest, body, Group),
      updateGroup: (groupId, body) => write("PATCH", at`/v1/groups/${groupId}`, GroupNameRequest, body, Group),
      deleteGroup: (groupId) => remove(at`/v1/groups/${groupId}`),
      listGroupUsers: (groupId) => list(at`/v1/groups/${groupId}/users`, User),
      listGroupMembers: (groupId) => listPages(at`/v1/groups/${groupId}/users`, groupMemberPages),
      listGroupMembersAll: (groupId) => collectPages(at`/v1/groups/${groupId}/users`, groupMemberPages),
      addGroupUser: (groupId, body) => writeVoid("POST", at`/v1/groups/${groupId}/users`, AddGroupUserRequest, body),
      removeGroupUser: (groupId, userId) => remove(at`/v1/groups/${groupId}/users/${userId}`),

      listTeams: list(at`/v1/teams`, Team),
      getTeam: (teamId) => getData({ method: "GET", ...at`/v1/teams/${teamId}` }, Team),
      createTeam: (body) => write("POST", at`/v1/teams`, CreateTeamRequest, body, Team),
      updateTeam: (teamId, body) => write("PATCH", at`/v1/teams/${teamId}`, UpdateTeamRequest, body, Team),
      deleteTeam: (teamId) => remove(at`/v1/teams/${teamId}`),
      deleteTeamRole: (teamId) => remove(at`/v1/teams/${teamId}/role`),
      listTeamUsers: (teamId) => list(at`/v1/teams/${teamId}/users`, TeamUserMembership),
      listTeamUsersAll: (teamId) => collectPages(at`/v1/teams/${teamId}/users`, pagesOf(TeamUserMembership)),
      getTeamUser: (teamId, userId) => getData({ method: "GET", ...at`/v1/teams/${teamId}/users/${userId}` }, TeamUserMembership),
      addTeamUser: (teamId, body) => write("POST", at`/v1/teams/${teamId}/users`, AddTeamUserRequest, body, TeamUserMembership),
      updateTeamUser: (teamId, userId, body) => writeVoid("PATCH", at`/v1/teams/${teamId}/users/${userId}`, UpdateRoleRequest, body),
      removeTeamUser: (teamId, userId) => remove(at`/v1/teams/${teamId}/users/${userId}`),
      teamGroups: memberships("teams", "groups"),
      teamConnections: memberships("teams", "connections"),

      listConnections: (filter = {}) =>
        list(at`/v1/connections`, Connection, {
          ...(filter.group_id === undefined ? {} : { group_id: filter.group_id }),
          ...(filter.schema === undefined ? {} : { schema: filter.schema })
        }),

      budget: http.budget,
      keyAccepted: http.keyAccepted,
      lowestRemainingDuring: http.lowestRemainingDuring,
      waits: http.waits,
      closeIdleConnections: http.closeIdleConnections
    }
    return client
  })
