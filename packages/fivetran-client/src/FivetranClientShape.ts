import type { Effect, Option, Stream } from "effect"
import type { FivetranError } from "./FivetranError.js"
import type { RateBudgetStatus } from "./RateBudget.js"
import type { RequestWaits } from "./WaitsInProgress.js"
import type { AccountInfo } from "./schemas/AccountInfo.js"
import type { Connection } from "./schemas/Connection.js"
import type { AddGroupUserRequest, Group, GroupNameRequest } from "./schemas/Group.js"
import type { GroupMember } from "./schemas/GroupMember.js"
import type { AddMembershipRequest, Membership, UpdateRoleRequest } from "./schemas/Membership.js"
import type { Role } from "./schemas/Role.js"
import type { AddTeamUserRequest, CreateTeamRequest, Team, TeamUserMembership, UpdateTeamRequest } from "./schemas/Team.js"
import type { InviteUserRequest, UpdateUserRequest, User } from "./schemas/User.js"

type Call<A> = Effect.Effect<A, FivetranError>
type List<A> = Stream.Stream<A, FivetranError>

/** The membership operations shared by user→group, user→connection, team→group and team→connection. */
export interface MembershipApi {
  readonly list: (ownerId: string) => List<Membership>
  /** `list`, every page collected: cheaper than running the stream when the whole list is wanted. */
  readonly listAll: (ownerId: string) => Call<ReadonlyArray<Membership>>
  readonly get: (ownerId: string, targetId: string) => Call<Membership>
  readonly add: (ownerId: string, body: AddMembershipRequest) => Call<Membership>
  readonly update: (ownerId: string, targetId: string, body: UpdateRoleRequest) => Call<void>
  readonly remove: (ownerId: string, targetId: string) => Call<void>
}

/**
 * One method per endpoint of docs/fivetran-api.md §10 and §12. Lists are streams that follow
 * `next_cursor` with `limit=1000`; the per-owner lists a sync reads whole also come collected
 * (`…All`). Every call decodes its body through the wire schemas.
 */
export interface FivetranClientShape {
  readonly accountInfo: Call<AccountInfo>
  readonly listRoles: List<Role>

  readonly listUsers: List<User>
  readonly getUser: (userId: string) => Call<User>
  readonly inviteUser: (body: InviteUserRequest) => Call<User>
  readonly updateUser: (userId: string, body: UpdateUserRequest) => Call<User>
  readonly deleteUser: (userId: string) => Call<void>
  readonly deleteUserRole: (userId: string) => Call<void>
  /** `/v1/users/{userId}/groups` */
  readonly userGroups: MembershipApi
  /** `/v1/users/{userId}/connections` */
  readonly userConnections: MembershipApi

  readonly listGroups: List<Group>
  readonly getGroup: (groupId: string) => Call<Group>
  readonly createGroup: (body: GroupNameRequest) => Call<Group>
  readonly updateGroup: (groupId: string, body: GroupNameRequest) => Call<Group>
  readonly deleteGroup: (groupId: string) => Call<void>
  /** Full users; `role` is the role in this group, `null` for account-role-only users. */
  readonly listGroupUsers: (groupId: string) => List<User>
  /**
   * The same list narrowed to what a sync maps: each user holding a role in the group, as
   * `{id, role}`; users listed with no group role are skipped before decoding.
   */
  readonly listGroupMembers: (groupId: string) => List<GroupMember>
  /** `listGroupMembers`, every page collected. */
  readonly listGroupMembersAll: (groupId: string) => Call<ReadonlyArray<GroupMember>>
  readonly addGroupUser: (groupId: string, body: AddGroupUserRequest) => Call<void>
  readonly removeGroupUser: (groupId: string, userId: string) => Call<void>

  readonly listTeams: List<Team>
  readonly getTeam: (teamId: string) => Call<Team>
  readonly createTeam: (body: CreateTeamRequest) => Call<Team>
  readonly updateTeam: (teamId: string, body: UpdateTeamRequest) => Call<Team>
  readonly deleteTeam: (teamId: string) => Call<void>
  readonly deleteTeamRole: (teamId: string) => Call<void>
  readonly listTeamUsers: (teamId: string) => List<TeamUserMembership>
  /** `listTeamUsers`, every page collected. */
  readonly listTeamUsersAll: (teamId: string) => Call<ReadonlyArray<TeamUserMembership>>
  readonly getTeamUser: (teamId: string, userId: string) => Call<TeamUserMembership>
  readonly addTeamUser: (teamId: string, body: AddTeamUserRequest) => Call<TeamUserMembership>
  readonly updateTeamUser: (teamId: string, userId: string, body: UpdateRoleRequest) => Call<void>
  readonly removeTeamUser: (teamId: string, userId: string) => Call<void>
  /** `/v1/teams/{teamId}/groups` */
  readonly teamGroups: MembershipApi
  /** `/v1/teams/{teamId}/connections` */
  readonly teamConnections: MembershipApi

  readonly listConnections: (filter?: { readonly group_id?: string; readonly schema?: string }) => List<Connection>

  /** The account's rate-limit budget as this client sees it (limit, estimated remaining, lowest seen, reserve). */
  readonly budget: Effect.Effect<RateBudgetStatus>
  /**
   * Whether Fivetran has answered any request of this client with a 2xx, which it gives only to a
   * key it accepts: proof of the key without spending a request on it (readiness).
   */
  readonly keyAccepted: Effect.Effect<boolean>
  /** Runs `effect` and also returns the lowest `X-Rate-Limit-Remaining` seen while it ran (a sync's own figure). */
  readonly lowestRemainingDuring: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<readonly [A, Option.Option<number>], E, R>
  /**
   * The waits in progress of every request of this client (rate limit, reserve, retry backoff):
   * read now, or follow as they change. One piece of work's own waits: `withRequestTally`.
   */
  readonly waits: RequestWaits
  /**
   * Closes the connections no request is using (those in use close once their request ends); later
   * requests open new ones. For a client shared past a piece of work: the HTTP service's, after a
   * sync's last row, whose idle keep-alive connections (up to one per request it had in flight)
   * each held a file descriptor through the file's finish.
   */
  readonly closeIdleConnections: Effect.Effect<void>
}
