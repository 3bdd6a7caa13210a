import type { Membership, User } from "@baton-fivetran/fivetran-client"
import { Effect, Option, Stream } from "effect"
import type { SyncRow } from "../model/Baton.js"
import { directGrant } from "../model/Grants.js"
import type { ResourceTypeModule } from "../registry/ResourceTypeModule.js"
import { userResource, userResourceId, UserResourceType } from "../resources/User.js"
import { rowsPerPage } from "../sync/PageRows.js"
import type { PhaseContext } from "../sync/PhaseContext.js"
import type { SyncFailed } from "../sync/SyncFailure.js"
import { required, row } from "../sync/SyncRows.js"
import { unknownUserTypeWarning } from "../sync/UnknownValues.js"

interface ListedUser {
  readonly user: User
  /** None when the user was deleted while the sync read it: then it is left out. */
  readonly connections: Option.Option<ReadonlyArray<Membership>>
}

/**
 * The users phase: each user, its account-role grant and (opted in) its connection grants, each
 * naming the teams that also lead the user there (team expansion, filled by the teams phase). A
 * user of a type this connector does not know is warned of (UnknownValues.ts).
 */
const userRows = (context: PhaseContext): Stream.Stream<SyncRow, SyncFailed> => {
  const { client, expansion } = context
  const syncConnections = Option.isSome(context.connections)

  const fetchUser = (user: User) =>
    syncConnections
      ? Effect.map(
        context.connectionList("user", user.id, client.userConnections.listAll(user.id)),
        (connections): ListedUser => ({ user, connections })
      )
      : Effect.succeed<ListedUser>({ user, connections: Option.some([]) })

  const rowsOf = ({ connections: listed, user }: ListedUser) =>
    Effect.gen(function*() {
      if (Option.isNone(listed)) return []
      yield* Option.match(unknownUserTypeWarning(user), { onNone: () => Effect.void, onSome: context.warn })
      const connections = listed.value
      const principal = userResourceId(user.id)
      const out: Array<SyncRow> = [row.resource(userResource(user))]
      if (user.role !== null && user.role !== "") {
        const { entitlement, rows } = yield* context.accountRole("users", user.role)
        out.push(...rows, row.grant(directGrant(entitlement, principal, expansion.takeForDirect(entitlement.id, user.id))))
      }
      for (const membership of connections) {
        const held = yield* context.connectionRole(membership)
        if (Option.isSome(held)) {
          const { entitlement, rows } = held.value
          out.push(...rows, row.grant(directGrant(entitlement, principal, expansion.takeForDirect(entitlement.id, user.id))))
        }
      }
      return out
    })

  return client.listUsers.pipe(
    required("list users"),
    rowsPerPage(context, { fetch: fetchUser, rowsOf })
  )
}

/** Users hold access but offer none; they are invited and deleted (Accounts.ts). */
export const UserType: ResourceTypeModule = {
  type: UserResourceType,
  capabilities: ["CAPABILITY_SYNC", "CAPABILITY_ACCOUNT_PROVISIONING", "CAPABILITY_RESOURCE_DELETE"],
  sync: { typeIn: () => Option.some(UserResourceType), phase: "users", rows: userRows }
}
