import type { FivetranClientShape, FivetranError, MembershipApi, Team, User } from "@baton-fivetran/fivetran-client"
import { Effect, Either, Option } from "effect"
import { acceptedWrite } from "./AcceptedWrite.js"
import { type ChangedMeanwhile, gone, goneOrAdded, writeFailure } from "./ChangedMeanwhile.js"
import type { FateUnknown } from "./FateUnknown.js"
import { Conflict, type ProvisioningError } from "./ProvisioningError.js"
import { upstreamFailure } from "./UpstreamFailure.js"

/**
 * The one role a principal holds in one container (docs/architecture.md §2: a container holds at most one
 * role per member): the account (its account role), a group, a connection or a team. `current`
 * is the read that decides every write; the writes are the calls of docs/architecture.md §3. A
 * write that finds the slot changed since that read (ChangedMeanwhile.ts: gone, or for an add
 * already there) fails with ChangedMeanwhile, and the provisioner decides again; one Fivetran may
 * have made before failing (FateUnknown.ts), and the provisioner reads the slot back.
 */
export interface AccessSlot {
  readonly current: Effect.Effect<Option.Option<string>, ProvisioningError>
  readonly add: (role: string) => Effect.Effect<void, ProvisioningError | ChangedMeanwhile | FateUnknown>
  readonly change: (role: string) => Effect.Effect<void, ProvisioningError | ChangedMeanwhile | FateUnknown>
  readonly remove: Effect.Effect<void, ProvisioningError | ChangedMeanwhile | FateUnknown>
}

const nonEmpty = (role: string | null): Option.Option<string> => role === null || role === "" ? Option.none() : Option.some(role)

/**
 * The slot with its read already made, together with the resolve's other reads (one round trip
 * before the write instead of two). A write that finds the slot changed since is ChangedMeanwhile,
 * as after any read, and the provisioner decides again from fresh reads.
 */
export const alreadyRead = (slot: AccessSlot, current: Option.Option<string>): AccessSlot => ({
  ...slot,
  current: Effect.succeed(current)
})

/** The role Fivetran keeps at least one user in (docs/fivetran-api.md §9): it refuses to demote or remove the last. */
const AdministratorRole = "Account Administrator"

/**
 * Fivetran's 409 for the last Account Administrator says what it refuses, not what to do: the
 * admin's way on is another administrator first, which the refusal now names (for a demotion, a
 * revoke of the role and a delete of the user).
 */
export const withLastAdministratorStep = (user: User) => <E>(error: E): E | Conflict =>
  error instanceof Conflict && user.role === AdministratorRole
    ? new Conflict({
      message: `${error.message}; grant role:${AdministratorRole}:assigned to another user first (an account keeps at least ` +
        `one ${AdministratorRole}), then run this again`
    })
    : error

/**
 * A user's account role: read from the user just fetched; PATCH /v1/users/U {role}; DELETE
 * /v1/users/U/role. Only a 404 (the user gone) is a change: a 409 refuses the write (the last
 * Account Administrator).
 */
export const userAccountRole = (client: FivetranClientShape, user: User, action: string): AccessSlot => {
  const refusal = (error: FivetranError) => withLastAdministratorStep(user)(writeFailure(action, gone)(error))
  const set = (role: string) => acceptedWrite(client.updateUser(user.id, { role })).pipe(Effect.mapError(refusal))
  const demoting = user.role === AdministratorRole ? notTheKeysOwner(client, user, action) : Effect.void
  return {
    current: Effect.succeed(nonEmpty(user.role)),
    add: set,
    change: (role) => role === AdministratorRole ? set(role) : Effect.zipRight(demoting, set(role)),
    remove: Effect.zipRight(demoting, Effect.mapError(acceptedWrite(client.deleteUserRole(user.id)), refusal))
  }
}

/**
 * Refuses a write that takes Account Administrator from the user whose API key the connector uses:
 * a user key acts with its user's role, so every later grant and revoke failed 403, read as a
 * missing permission of the key, as did the sync's reads. Deleting that user is refused alike
 * (Accounts.ts). Read only before such a write; a system key (no user) and a key that may not read
 * the account (403) pass.
 */
const notTheKeysOwner = (client: FivetranClientShape, user: User, action: string): Effect.Effect<void, ProvisioningError> =>
  Effect.flatMap(Effect.either(client.accountInfo), (answer) => {
    if (Either.isLeft(answer)) return answer.left._tag === "Forbidden" ? Effect.void : Effect.fail(upstreamFailure(action)(answer.left))
    if (answer.right.user_id !== user.id) return Effect.void
    return Effect.fail(
      new Conflict({
        message: `cannot ${action}: user:${user.id} is the user whose API key this connector uses, and this takes ` +
          `${AdministratorRole} from it, after which the key may no longer provision (it acts with its user's role); change its role with another ` +
          "administrator's key or a system key"
      })
    )
  })

/** A team's account role: PATCH /v1/teams/T {role}; DELETE /v1/teams/T/role; a 404 (the team gone) is a change. */
export const teamAccountRole = (client: FivetranClientShape, team: Team, action: string): AccessSlot => {
  const set = (role: string) => acceptedWrite(client.updateTeam(team.id, { role })).pipe(Effect.mapError(writeFailure(action, gone)))
  return {
    current: Effect.succeed(nonEmpty(team.role)),
    add: set,
    change: set,
    remove: Effect.mapError(acceptedWrite(client.deleteTeamRole(team.id)), writeFailure(action, gone))
  }
}

/** `/v1/{users|teams}/{owner}/{groups|connections}[/{target}]`: GET, POST {id, role}, PATCH {role}, DELETE. */
export const membership = (api: MembershipApi, owner: string, target: string, action: string): AccessSlot => ({
  current: api.get(owner, target).pipe(
    Effect.map((found) => nonEmpty(found.role)),
    Effect.catchTag("NotFound", () => Effect.succeedNone),
    Effect.mapError(upstreamFailure(action))
  ),
  add: (role) => acceptedWrite(api.add(owner, { id: target, role })).pipe(Effect.mapError(writeFailure(action, goneOrAdded))),
  change: (role) => Effect.mapError(acceptedWrite(api.update(owner, target, { role })), writeFailure(action, gone)),
  remove: Effect.mapError(acceptedWrite(api.remove(owner, target)), writeFailure(action, gone))
})

/** `/v1/teams/T/users[/U]`: GET, POST {user_id, role}, PATCH {role}, DELETE. */
export const teamMembership = (client: FivetranClientShape, teamId: string, userId: string, action: string): AccessSlot => ({
  current: client.getTeamUser(teamId, userId).pipe(
    Effect.map((found) => nonEmpty(found.role)),
    Effect.catchTag("NotFound", () => Effect.succeedNone),
    Effect.mapError(upstreamFailure(action))
  ),
  add: (role) =>
    acceptedWrite(client.addTeamUser(teamId, { user_id: userId, role })).pipe(Effect.mapError(writeFailure(action, goneOrAdded))),
  change: (role) => Effect.mapError(acceptedWrite(client.updateTeamUser(teamId, userId, { role })), writeFailure(action, gone)),
  remove: Effect.mapError(acceptedWrite(client.removeTeamUser(teamId, userId)), writeFailure(action, gone))
})
