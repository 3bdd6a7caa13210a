import { FivetranClient, type FivetranClientShape, type MembershipApi } from "@baton-fivetran/fivetran-client"
import { Effect, Layer, Ref, Stream } from "effect"

/**
 * Whether Fivetran has ever accepted the configured key: a call of this process's client succeeded,
 * which takes an authenticated 2xx answer (a refused key, a 429 or a 5xx fails the call). Readiness
 * (Readiness.ts) counts it as a successful check while its own check of the key is held back by the
 * rate limit: a fresh process whose sync starts by waiting out the reserve has had its key accepted
 * by the sync's first answer (that answer told the budget), and was 503 for up to an hour.
 */
export class KeyProof extends Effect.Service<KeyProof>()("baton-http/KeyProof", {
  effect: Effect.map(Ref.make(false), (accepted) => ({
    /** Whether any call of the client has succeeded. */
    accepted: Ref.get(accepted),
    record: Ref.set(accepted, true)
  }))
}) {}

/**
 * `client` with each call's success recorded by `record`: a call when it succeeds, a list as each
 * page arrives and when it ends (an empty list is a successful answer too). The budget and waits
 * are read as they are. Every member is named, so a new endpoint of the client must be added here.
 */
export const recordingSuccess = (client: FivetranClientShape, record: Effect.Effect<void>): FivetranClientShape => {
  const call = <A, E>(effect: Effect.Effect<A, E>) => Effect.tap(effect, () => record)
  const list = <A, E>(stream: Stream.Stream<A, E>) =>
    Stream.concat(Stream.mapChunksEffect(stream, (chunk) => Effect.as(record, chunk)), Stream.execute(record))
  const memberships = (api: MembershipApi): MembershipApi => ({
    list: (ownerId) => list(api.list(ownerId)),
    listAll: (ownerId) => call(api.listAll(ownerId)),
    get: (ownerId, targetId) => call(api.get(ownerId, targetId)),
    add: (ownerId, body) => call(api.add(ownerId, body)),
    update: (ownerId, targetId, body) => call(api.update(ownerId, targetId, body)),
    remove: (ownerId, targetId) => call(api.remove(ownerId, targetId))
  })
  return {
    accountInfo: call(client.accountInfo),
    listRoles: list(client.listRoles),
    listUsers: list(client.listUsers),
    getUser: (userId) => call(client.getUser(userId)),
    inviteUser: (body) => call(client.inviteUser(body)),
    updateUser: (userId, body) => call(client.updateUser(userId, body)),
    deleteUser: (userId) => call(client.deleteUser(userId)),
    deleteUserRole: (userId) => call(client.deleteUserRole(userId)),
    userGroups: memberships(client.userGroups),
    userConnections: memberships(client.userConnections),
    listGroups: list(client.listGroups),
    getGroup: (groupId) => call(client.getGroup(groupId)),
    createGroup: (body) => call(client.createGroup(body)),
    updateGroup: (groupId, body) => call(client.updateGroup(groupId, body)),
    deleteGroup: (groupId) => call(client.deleteGroup(groupId)),
    listGroupUsers: (groupId) => list(client.listGroupUsers(groupId)),
    listGroupMembers: (groupId) => list(client.listGroupMembers(groupId)),
    listGroupMembersAll: (groupId) => call(client.listGroupMembersAll(groupId)),
    addGroupUser: (groupId, body) => call(client.addGroupUser(groupId, body)),
    removeGroupUser: (groupId, userId) => call(client.removeGroupUser(groupId, userId)),
    listTeams: list(client.listTeams),
    getTeam: (teamId) => call(client.getTeam(teamId)),
    createTeam: (body) => call(client.createTeam(body)),
    updateTeam: (teamId, body) => call(client.updateTeam(teamId, body)),
    deleteTeam: (teamId) => call(client.deleteTeam(teamId)),
    deleteTeamRole: (teamId) => call(client.deleteTeamRole(teamId)),
    listTeamUsers: (teamId) => list(client.listTeamUsers(teamId)),
    listTeamUsersAll: (teamId) => call(client.listTeamUsersAll(teamId)),
    getTeamUser: (teamId, userId) => call(client.getTeamUser(teamId, userId)),
    addTeamUser: (teamId, body) => call(client.addTeamUser(teamId, body)),
    updateTeamUser: (teamId, userId, body) => call(client.updateTeamUser(teamId, userId, body)),
    removeTeamUser: (teamId, userId) => call(client.removeTeamUser(teamId, userId)),
    teamGroups: memberships(client.teamGroups),
    teamConnections: memberships(client.teamConnections),
    listConnections: (filter) => list(client.listConnections(filter)),
    budget: client.budget,
    lowestRemainingDuring: client.lowestRemainingDuring,
    waits: client.waits
  }
}

/**
 * The FivetranClient the service runs on (its syncs, provisioning and readiness), built over the
 * real one, with KeyProof beside it: every successful answer counts as proof of the key.
 */
export const provingClient: Layer.Layer<FivetranClient | KeyProof, never, FivetranClient> = Layer.effect(
  FivetranClient,
  Effect.gen(function*() {
    const client = yield* FivetranClient
    const proof = yield* KeyProof
    return recordingSuccess(client, proof.record)
  })
).pipe(Layer.provideMerge(KeyProof.Default))
