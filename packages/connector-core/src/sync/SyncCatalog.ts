import type { Connection, FivetranClientShape } from "@baton-fivetran/fivetran-client"
import { Array as Arr, Effect, Fiber, Option } from "effect"
import { makeRoleCatalog, type RoleCatalog } from "../resources/RoleCatalog.js"
import { isMissingPermission, optionalSkipped, type SyncFailed, syncFailure } from "./SyncFailure.js"
import { collect, indexBy } from "./SyncRows.js"
import type { SyncWarning } from "./SyncWarning.js"
import { unknownScopeWarning } from "./UnknownValues.js"

export interface SyncCatalog {
  readonly catalog: RoleCatalog
  /** None when connections are not synced (off, or the key may not list them). */
  readonly connections: Option.Option<ReadonlyMap<string, Connection>>
}

/**
 * The small lists every row depends on: the role catalog, and (opted in) the connections. A 403
 * on the connections list is a warning: the sync goes on without connections; so is each role of
 * a scope this connector does not know (UnknownValues.ts).
 */
export const loadCatalog = (
  client: FivetranClientShape,
  syncConnections: boolean,
  warn: (warning: SyncWarning) => Effect.Effect<void>
): Effect.Effect<SyncCatalog, SyncFailed> =>
  Effect.gen(function*() {
    const roles = collect(client.listRoles).pipe(Effect.mapError(syncFailure("list roles")))
    const connections: Effect.Effect<Option.Option<ReadonlyMap<string, Connection>>, SyncFailed> = syncConnections
      ? collect(client.listConnections()).pipe(
        Effect.map((all) => Option.some(indexBy(all, (c) => c.id))),
        Effect.catchIf(isMissingPermission, (error) =>
          warn({ kind: "missing_permission", message: optionalSkipped(error, "list connections", "connections are not synced") }).pipe(
            Effect.as(Option.none())
          )),
        Effect.mapError(syncFailure("list connections"))
      )
      : Effect.succeed(Option.none())
    // The connections are listed while the roles are (a round trip less before the teams), and the
    // roles' failure is the one reported, as when they were read first: a revoked key fails both.
    return yield* Effect.scoped(Effect.gen(function*() {
      const listing = yield* Effect.forkScoped(connections)
      const listed = yield* roles
      yield* Effect.forEach(Arr.getSomes(listed.map(unknownScopeWarning)), warn, { discard: true })
      const catalog = makeRoleCatalog(listed)
      return { catalog, connections: yield* Fiber.join(listing) }
    }))
  })
