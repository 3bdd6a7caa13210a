import {
  AccountInfo,
  AddGroupUserRequest,
  AddMembershipRequest,
  AddTeamUserRequest,
  Connection,
  CreateConnectionRequest,
  CreateTeamRequest,
  Group,
  GroupNameRequest,
  InviteUserRequest,
  Membership,
  Role,
  Team,
  TeamUserMembership,
  UpdateRoleRequest,
  UpdateTeamRequest,
  User
} from "@baton-fivetran/fivetran-client"
import type { HttpServerResponse } from "@effect/platform"
import { Effect, Option, type Schema } from "effect"
import type { Credential } from "../state/AccountSnapshot.js"
import {
  type AccountState,
  type GroupUserRows,
  membership,
  type MembershipKind,
  teamUserMembership,
  type UserRows
} from "../state/AccountState.js"
import { type ApiError, forbidden, tooManyRequests } from "./ApiError.js"
import { pageOf, pageRequest, type Sliceable, sliceable } from "./Pagination.js"
import { dataReply, jsonBytesReply, messageReply, pageReply } from "./Reply.js"
import type { RollingWindow } from "./RollingWindow.js"
import { groupUserPageBody, userPageBody } from "./UserJson.js"
import { userListFilter } from "./UserListFilter.js"
import { userUpdateBody } from "./UserUpdateBody.js"

/** What a handler sees of its request, already authenticated and authorised. */
export interface ApiRequest {
  readonly params: Readonly<Record<string, string | undefined>>
  readonly query: URLSearchParams
  readonly caller: Credential
  /** Clock time of the request, in milliseconds. */
  readonly now: number
  /** The JSON body decoded with a request schema; a 400 naming the field otherwise. */
  readonly body: <A, I>(schema: Schema.Schema<A, I>) => Effect.Effect<A, ApiError>
}

export type Method = "GET" | "POST" | "PATCH" | "DELETE"

/** One route of docs/fivetran-api.md §10 / §12; paths use `:name` parameters. */
export interface Endpoint {
  readonly method: Method
  readonly path: string
  readonly handle: (request: ApiRequest) => Effect.Effect<HttpServerResponse.HttpServerResponse, ApiError>
}

const param = (request: ApiRequest, name: string): string => request.params[name] ?? ""

/** The user lists: bodies spliced from each user's pre-encoded JSON (see UserJson). */
const userList = (request: ApiRequest, rows: UserRows) =>
  Effect.map(pageRequest(request.query), (page) => jsonBytesReply(userPageBody(rows, page)))

const groupUserList = (request: ApiRequest, rows: GroupUserRows) =>
  Effect.map(pageRequest(request.query), (page) => jsonBytesReply(groupUserPageBody(rows, page)))

const list = <A, I>(
  item: Schema.Schema<A, I>,
  request: ApiRequest,
  items: Sliceable<A>,
  options: { readonly message?: string } = {}
) => Effect.flatMap(pageRequest(request.query), (page) => pageReply(item, pageOf(items, page), options))

interface MembershipMessages {
  readonly created: string
  readonly updated: string
  readonly deleted: string
}

/** list / get / add / update / remove of user→group, user→connection, team→group, team→connection. */
const membershipEndpoints = (
  state: AccountState,
  base: string,
  kind: MembershipKind,
  messages: MembershipMessages
): ReadonlyArray<Endpoint> => [
  {
    method: "GET",
    path: base,
    handle: (r) =>
      Effect.flatMap(state.listMemberships(kind, param(r, "owner")), (rows) => list(Membership, r, sliceable(rows.map(membership))))
  },
  {
    method: "POST",
    path: base,
    handle: (r) =>
      r.body(AddMembershipRequest).pipe(
        Effect.flatMap((body) => state.addMembership(kind, param(r, "owner"), body, r.now)),
        Effect.flatMap((added) => dataReply(Membership, membership(added), { status: 201, message: messages.created }))
      )
  },
  {
    method: "GET",
    path: `${base}/:target`,
    handle: (r) =>
      Effect.flatMap(state.getMembership(kind, param(r, "owner"), param(r, "target")), (found) => dataReply(Membership, membership(found)))
  },
  {
    method: "PATCH",
    path: `${base}/:target`,
    handle: (r) =>
      r.body(UpdateRoleRequest).pipe(
        Effect.flatMap((body) => state.updateMembership(kind, param(r, "owner"), param(r, "target"), body.role)),
        Effect.flatMap((updated) => dataReply(Membership, membership(updated), { message: messages.updated }))
      )
  },
  {
    method: "DELETE",
    path: `${base}/:target`,
    handle: (r) =>
      Effect.zipRight(
        state.removeMembership(kind, param(r, "owner"), param(r, "target")),
        messageReply(messages.deleted)
      )
  }
]

const groupMessages: MembershipMessages = {
  created: "Group membership has been created",
  updated: "Group membership has been updated",
  deleted: "Group membership has been deleted"
}

const connectionMessages: MembershipMessages = {
  created: "Connection membership has been created",
  updated: "Connection membership has been updated",
  deleted: "Connection membership has been deleted"
}

/** Every endpoint of the identity API, over one account state. */
export const makeEndpoints = (state: AccountState, invites: RollingWindow): ReadonlyArray<Endpoint> => [
  {
    method: "GET",
    path: "/v1/account/info",
    handle: (r) => dataReply(AccountInfo, state.accountInfo(r.caller), { message: "Account information retrieved successfully" })
  },
  { method: "GET", path: "/v1/roles", handle: (r) => list(Role, r, sliceable(state.listRoles())) },

  // users
  {
    method: "GET",
    path: "/v1/users",
    handle: (r) =>
      Effect.flatMap(userListFilter(r.query), (filter) => {
        const users = state.listUsers(filter)
        return userList(r, { size: users.length, user: (i) => users[i]!, role: (i) => users[i]!.role })
      })
  },
  {
    method: "POST",
    path: "/v1/users",
    handle: (r) =>
      Effect.gen(function*() {
        const body = yield* r.body(InviteUserRequest)
        if (body.user_type === "SERVICE_ACCOUNT" && r.caller._tag === "UserKey") {
          const creator = yield* Effect.option(state.getUser(r.caller.user_id))
          // "A service account user can't create another service account user" (docs/fivetran-api.md §2.1).
          if (Option.exists(creator, (user) => user.user_type === "SERVICE_ACCOUNT")) {
            return yield* forbidden(
              `User '${r.caller.user_id}' is a service account; a service account cannot create another service account`
            )
          }
        }
        // The user-creation budget is checked once the invitation is valid: a 400 or 409 spends none of it.
        const user = yield* state.inviteUser(body, r.now, () => {
          const admission = invites.admit(r.now)
          return admission._tag === "Refused"
            ? tooManyRequests(`User creation is limited to ${invites.limit} per hour`, admission.retryAfterSeconds)
            : undefined
        })
        return yield* dataReply(User, user, { status: 201, message: "User has been invited to the account" })
      })
  },
  {
    method: "GET",
    path: "/v1/users/:owner",
    handle: (r) => Effect.flatMap(state.getUser(param(r, "owner")), (user) => dataReply(User, user))
  },
  {
    method: "PATCH",
    path: "/v1/users/:owner",
    handle: (r) =>
      userUpdateBody(r.body).pipe(
        Effect.flatMap((body) => state.updateUser(param(r, "owner"), body)),
        Effect.flatMap((user) => dataReply(User, user, { message: "User has been updated" }))
      )
  },
  {
    method: "DELETE",
    path: "/v1/users/:owner",
    handle: (r) =>
      Effect.zipRight(
        state.deleteUser(param(r, "owner")),
        messageReply(`User with id '${param(r, "owner")}' has been deleted`)
      )
  },
  {
    method: "DELETE",
    path: "/v1/users/:owner/role",
    handle: (r) => Effect.zipRight(state.deleteUserRole(param(r, "owner")), messageReply("User role in account has been removed"))
  },
  ...membershipEndpoints(state, "/v1/users/:owner/groups", "userGroups", groupMessages),
  ...membershipEndpoints(state, "/v1/users/:owner/connections", "userConnections", connectionMessages),

  // groups
  {
    method: "GET",
    path: "/v1/groups",
    handle: (r) => list(Group, r, sliceable(state.listGroups()), { message: "Operation performed." })
  },
  {
    method: "POST",
    path: "/v1/groups",
    handle: (r) =>
      r.body(GroupNameRequest).pipe(
        Effect.flatMap((body) => state.createGroup(body.name, r.caller._tag === "UserKey" ? r.caller.user_id : undefined, r.now)),
        Effect.flatMap((group) => dataReply(Group, group, { status: 201, message: "Group has been created" }))
      )
  },
  {
    method: "GET",
    path: "/v1/groups/:owner",
    handle: (r) => Effect.flatMap(state.getGroup(param(r, "owner")), (group) => dataReply(Group, group))
  },
  {
    method: "PATCH",
    path: "/v1/groups/:owner",
    handle: (r) =>
      r.body(GroupNameRequest).pipe(
        Effect.flatMap((body) => state.renameGroup(param(r, "owner"), body.name)),
        Effect.flatMap((group) => dataReply(Group, group, { message: "Group has been updated" }))
      )
  },
  {
    method: "DELETE",
    path: "/v1/groups/:owner",
    handle: (r) =>
      Effect.zipRight(
        state.deleteGroup(param(r, "owner")),
        messageReply(`Group with id '${param(r, "owner")}' has been deleted`)
      )
  },
  {
    method: "GET",
    path: "/v1/groups/:owner/connections",
    handle: (r) =>
      Effect.flatMap(
        state.getGroup(param(r, "owner")),
        (group) => list(Connection, r, sliceable(state.listConnections({ group_id: group.id })))
      )
  },
  {
    method: "GET",
    path: "/v1/groups/:owner/users",
    handle: (r) => Effect.flatMap(state.groupUsers(param(r, "owner")), (rows) => groupUserList(r, rows))
  },
  {
    method: "POST",
    path: "/v1/groups/:owner/users",
    handle: (r) =>
      r.body(AddGroupUserRequest).pipe(
        Effect.flatMap((body) => state.addGroupUserByEmail(param(r, "owner"), body.email, body.role, r.now)),
        Effect.zipRight(messageReply("User has been added to the group"))
      )
  },
  {
    method: "DELETE",
    path: "/v1/groups/:owner/users/:target",
    handle: (r) =>
      Effect.zipRight(
        Effect.flatMap(
          state.getGroup(param(r, "owner")),
          () => state.removeMembership("userGroups", param(r, "target"), param(r, "owner"))
        ),
        messageReply(`User with id '${param(r, "target")}' has been removed from the group`)
      )
  },

  // teams
  { method: "GET", path: "/v1/teams", handle: (r) => list(Team, r, sliceable(state.listTeams())) },
  {
    method: "POST",
    path: "/v1/teams",
    handle: (r) =>
      r.body(CreateTeamRequest).pipe(
        Effect.flatMap((body) => state.createTeam(body)),
        Effect.flatMap((team) => dataReply(Team, team, { status: 201, message: "Team has been created" }))
      )
  },
  {
    method: "GET",
    path: "/v1/teams/:owner",
    handle: (r) => Effect.flatMap(state.getTeam(param(r, "owner")), (team) => dataReply(Team, team))
  },
  {
    method: "PATCH",
    path: "/v1/teams/:owner",
    handle: (r) =>
      r.body(UpdateTeamRequest).pipe(
        Effect.flatMap((body) => state.updateTeam(param(r, "owner"), body)),
        Effect.flatMap((team) => dataReply(Team, team, { message: "Team has been updated" }))
      )
  },
  {
    method: "DELETE",
    path: "/v1/teams/:owner",
    handle: (r) => Effect.zipRight(state.deleteTeam(param(r, "owner")), messageReply("Team has been deleted"))
  },
  {
    method: "DELETE",
    path: "/v1/teams/:owner/role",
    handle: (r) => Effect.zipRight(state.deleteTeamRole(param(r, "owner")), messageReply("Team role in account has been removed"))
  },
  {
    method: "GET",
    path: "/v1/teams/:owner/users",
    handle: (r) =>
      Effect.flatMap(
        state.listMemberships("teamUsers", param(r, "owner")),
        (rows) => list(TeamUserMembership, r, sliceable(rows.map(teamUserMembership)))
      )
  },
  {
    method: "POST",
    path: "/v1/teams/:owner/users",
    handle: (r) =>
      r.body(AddTeamUserRequest).pipe(
        Effect.flatMap((body) => state.addMembership("teamUsers", param(r, "owner"), { id: body.user_id, role: body.role }, r.now)),
        Effect.flatMap((added) =>
          dataReply(TeamUserMembership, teamUserMembership(added), {
            status: 201,
            message: "User has been added to the team"
          })
        )
      )
  },
  {
    method: "GET",
    path: "/v1/teams/:owner/users/:target",
    handle: (r) =>
      Effect.flatMap(
        state.getMembership("teamUsers", param(r, "owner"), param(r, "target")),
        (found) => dataReply(TeamUserMembership, teamUserMembership(found))
      )
  },
  {
    method: "PATCH",
    path: "/v1/teams/:owner/users/:target",
    handle: (r) =>
      r.body(UpdateRoleRequest).pipe(
        Effect.flatMap((body) => state.updateMembership("teamUsers", param(r, "owner"), param(r, "target"), body.role)),
        Effect.flatMap((updated) => dataReply(TeamUserMembership, teamUserMembership(updated), { message: "User role has been updated" }))
      )
  },
  {
    method: "DELETE",
    path: "/v1/teams/:owner/users/:target",
    handle: (r) =>
      Effect.zipRight(
        state.removeMembership("teamUsers", param(r, "owner"), param(r, "target")),
        messageReply("User has been removed from the team")
      )
  },
  ...membershipEndpoints(state, "/v1/teams/:owner/groups", "teamGroups", groupMessages),
  ...membershipEndpoints(state, "/v1/teams/:owner/connections", "teamConnections", connectionMessages),

  // connections
  {
    method: "GET",
    path: "/v1/connections",
    handle: (r) =>
      list(
        Connection,
        r,
        sliceable(
          state.listConnections({
            group_id: r.query.get("group_id") ?? undefined,
            schema: r.query.get("schema") ?? undefined
          })
        )
      )
  },
  {
    method: "POST",
    path: "/v1/connections",
    handle: (r) =>
      r.body(CreateConnectionRequest).pipe(
        Effect.flatMap((body) => state.createConnection(body, r.caller._tag === "UserKey" ? r.caller.user_id : undefined, r.now)),
        Effect.flatMap((connection) => dataReply(Connection, connection, { status: 201, message: "Connection has been created" }))
      )
  },
  {
    method: "GET",
    path: "/v1/connections/:owner",
    handle: (r) => Effect.flatMap(state.getConnection(param(r, "owner")), (connection) => dataReply(Connection, connection))
  },
  {
    method: "DELETE",
    path: "/v1/connections/:owner",
    handle: (r) =>
      Effect.zipRight(
        state.deleteConnection(param(r, "owner")),
        messageReply(`Connection with id '${param(r, "owner")}' has been deleted`)
      )
  }
]
