import { FivetranClient, FivetranClientConfig, type FivetranError, type User } from "@baton-fivetran/fivetran-client"
import {
  type AccountSnapshot,
  type EmailInUseStatus,
  fullAccessPermissions,
  Sandbox,
  standardRoles
} from "@baton-fivetran/fivetran-sandbox"
import { Chunk, Effect, Layer, Redacted, Stream } from "effect"
import { Provisioner } from "../../src/index.js"

/**
 * A small hand-made account for the provisioning tests, so every expected id is readable:
 *   users   admin (Account Administrator), ana (Account Reviewer), ben (no account role),
 *           cy (Account Analyst), dee (Account Reviewer)
 *   groups  g_main, g_side; connections c_sf (in g_main), c_pg (in g_side)
 *   teams   t_eng (Account Analyst): cy as Team Member, ben as Team Manager;
 *                 holds Manage Destination on g_side and View Connection on c_pg
 *           t_ops (no account role, no members)
 *   direct  ana: View Destination on g_main, Edit Connection on c_sf
 */

const at = "2024-11-30T16:02:44.905117Z"

export const makeUser = (id: string, role: string | null): User => ({
  id,
  email: `${id}@example.com`,
  given_name: id.charAt(0).toUpperCase() + id.slice(1),
  family_name: "Tester",
  verified: true,
  invited: false,
  picture: null,
  phone: null,
  role,
  logged_in_at: null,
  created_at: at,
  active: true,
  user_type: "REGULAR_USER"
})

export const systemKey = {
  _tag: "SystemKey",
  key: "sandbox_key_provisioning_full",
  secret: "provisioning-full-secret",
  system_key_id: "key_full",
  permissions: fullAccessPermissions
} as const

/** Everything but USER:MANAGE (USER:READ instead). */
export const userReadOnlyKey = {
  _tag: "SystemKey",
  key: "sandbox_key_provisioning_user_read",
  secret: "provisioning-user-read-secret",
  system_key_id: "key_user_read",
  permissions: fullAccessPermissions.map((p) => (p.resource_type === "USER" ? { ...p, access_level: "READ" as const } : p))
} as const

export const account: AccountSnapshot = {
  account: { account_id: "acct_prov", account_name: "Provisioning Co" },
  roles: [
    ...standardRoles,
    { name: "Data Steward", description: "Custom", is_custom: true, scope: ["ACCOUNT"], is_deprecated: false, replacement_role_name: null }
  ],
  users: [
    makeUser("admin", "Account Administrator"),
    makeUser("ana", "Account Reviewer"),
    makeUser("ben", null),
    makeUser("cy", "Account Analyst"),
    makeUser("dee", "Account Reviewer")
  ],
  groups: [{ id: "g_main", name: "main", created_at: at }, { id: "g_side", name: "side", created_at: at }],
  teams: [
    { id: "t_eng", name: "Engineering", description: "Builders", role: "Account Analyst" },
    { id: "t_ops", name: "Operations", description: null, role: null }
  ],
  connections: [
    { id: "c_sf", group_id: "g_main", service: "salesforce", schema: "sf", created_at: at, paused: false },
    { id: "c_pg", group_id: "g_side", service: "postgres", schema: "pg", created_at: at, paused: false }
  ],
  user_groups: [{ user_id: "ana", group_id: "g_main", role: "View Destination", created_at: at }],
  user_connections: [{ user_id: "ana", connection_id: "c_sf", role: "Edit Connection", created_at: at }],
  team_users: [
    { team_id: "t_eng", user_id: "cy", role: "Team Member", created_at: at },
    { team_id: "t_eng", user_id: "ben", role: "Team Manager", created_at: at }
  ],
  team_groups: [{ team_id: "t_eng", group_id: "g_side", role: "Manage Destination", created_at: at }],
  team_connections: [{ team_id: "t_eng", connection_id: "c_pg", role: "View Connection", created_at: at }],
  credentials: [systemKey, userReadOnlyKey]
}

/** How the tests' client retries and waits; what is left out is the client's default. */
export interface ClientSettings {
  readonly maxAttempts?: number
  readonly backoffBaseMillis?: number
  readonly requestTimeoutSeconds?: number
}

/** The real client pointed at the running sandbox (under `basePath`, "" for its root) with this key; one attempt unless `settings` say otherwise. */
export const clientFor = (
  credential: { readonly key: string; readonly secret: string },
  basePath = "",
  settings: ClientSettings = { maxAttempts: 1 }
) =>
  Layer.unwrapEffect(Effect.map(Sandbox, (sandbox) =>
    FivetranClient.layer(FivetranClientConfig.make({
      apiKey: Redacted.make(credential.key),
      apiSecret: Redacted.make(credential.secret),
      baseUrl: `${sandbox.baseUrl}${basePath}`,
      ...settings
    }))))

/** A fresh sandbox serving `snapshot`, the client with `credential`, and the provisioner over them. */
export const provisioningLayer = (
  options: {
    readonly snapshot?: AccountSnapshot
    readonly credential?: { readonly key: string; readonly secret: string }
    readonly enabled?: boolean
    readonly syncConnections?: boolean
    /** A path the client puts before `/v1`, as a wrong base URL would. */
    readonly basePath?: string
    /** The team scan's teams at a time (the provisioner's default when absent). */
    readonly concurrency?: number
    /** The client's attempts and deadlines (one attempt when absent). */
    readonly client?: ClientSettings
    /** How the sandbox refuses an invitation of an email in use (its default, 409, when absent). */
    readonly emailInUseStatus?: EmailInUseStatus
  } = {}
) =>
  Provisioner.layer({
    enabled: options.enabled ?? true,
    syncConnections: options.syncConnections ?? false,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency })
  }).pipe(
    Layer.provideMerge(clientFor(options.credential ?? systemKey, options.basePath, options.client)),
    Layer.provideMerge(Sandbox.layer({
      snapshot: options.snapshot ?? account,
      port: 0,
      ...(options.emailInUseStatus === undefined ? {} : { emailInUseStatus: options.emailInUseStatus })
    }))
  )

/** The requests the sandbox saw since the last clear, as `METHOD /path`. */
export const requestsSince = Effect.flatMap(
  Sandbox,
  (sandbox) => Effect.map(sandbox.requestLog, (log) => log.map((entry) => `${entry.method} ${entry.path}`))
)

export const clearLog = Effect.flatMap(Sandbox, (sandbox) => sandbox.clearRequestLog)

/** Runs `action` on a cleared log and returns its result with the requests it made. */
export const logged = <A, E, R>(action: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    yield* clearLog
    const result = yield* action
    return { result, requests: yield* requestsSince }
  })

export const writesIn = (requests: ReadonlyArray<string>) => requests.filter((r) => !r.startsWith("GET "))

/**
 * The requests with the first `count` sorted: a grant or revoke reads the roles, the entitlement's
 * resource and the principal at once (connector-core's `readTogether`), so their order is free;
 * what follows them comes in order.
 */
export const readFirstTogether = (requests: ReadonlyArray<string>, count: number) => [
  ...[...requests.slice(0, count)].sort(),
  ...requests.slice(count)
]

/** The sandbox state, read back through its own HTTP API with the real client (not the provisioner). */
const roleOrNull = (read: Effect.Effect<{ readonly role: string }, FivetranError>) =>
  read.pipe(Effect.map((found): string | null => found.role), Effect.catchTag("NotFound", () => Effect.succeed(null)), Effect.orDie)

const collected = <A>(stream: Stream.Stream<A, FivetranError>) => Effect.orDie(Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray))

export const state = {
  userRole: (userId: string) => Effect.flatMap(FivetranClient, (c) => Effect.orDie(Effect.map(c.getUser(userId), (u) => u.role))),
  teamRole: (teamId: string) => Effect.flatMap(FivetranClient, (c) => Effect.orDie(Effect.map(c.getTeam(teamId), (t) => t.role))),
  userGroup: (userId: string, groupId: string) => Effect.flatMap(FivetranClient, (c) => roleOrNull(c.userGroups.get(userId, groupId))),
  teamGroup: (teamId: string, groupId: string) => Effect.flatMap(FivetranClient, (c) => roleOrNull(c.teamGroups.get(teamId, groupId))),
  userConnection: (userId: string, connectionId: string) =>
    Effect.flatMap(FivetranClient, (c) => roleOrNull(c.userConnections.get(userId, connectionId))),
  teamConnection: (teamId: string, connectionId: string) =>
    Effect.flatMap(FivetranClient, (c) => roleOrNull(c.teamConnections.get(teamId, connectionId))),
  teamUser: (teamId: string, userId: string) => Effect.flatMap(FivetranClient, (c) => roleOrNull(c.getTeamUser(teamId, userId))),
  /** `GET /v1/groups/G/users` as `user id -> role` (null: listed for the account role only). */
  groupUsers: (groupId: string) =>
    Effect.flatMap(
      FivetranClient,
      (c) => Effect.map(collected(c.listGroupUsers(groupId)), (users) => Object.fromEntries(users.map((u) => [u.id, u.role])))
    ),
  /** `GET /v1/teams/T/users` as `user id -> team role`. */
  teamUsers: (teamId: string) =>
    Effect.flatMap(
      FivetranClient,
      (c) => Effect.map(collected(c.listTeamUsers(teamId)), (members) => Object.fromEntries(members.map((m) => [m.user_id, m.role])))
    ),
  userIds: Effect.flatMap(FivetranClient, (c) => Effect.map(collected(c.listUsers), (users) => users.map((u) => u.id)))
}
