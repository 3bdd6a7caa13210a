import { echoed, type FivetranClientShape, type FivetranError } from "@baton-fivetran/fivetran-client"
import { Effect, Option } from "effect"
import { grantId } from "../model/Ids.js"
import type { GrantTarget } from "./GrantTarget.js"
import { type ProvisioningError, UnknownEntitlement } from "./ProvisioningError.js"
import { upstreamFailure } from "./UpstreamFailure.js"

/**
 * A user's or team's id named as a group's, team's or connection's (`group:<user id>:...`, or a
 * grant id with its two ids swapped): the entitlement's resource reads as absent, and a revoke said
 * "already revoked" (exit 0, 200) while the access the caller meant stayed. Asked only once the
 * resource was not found, of the kinds Fivetran looks up by id (users, teams, groups); connections
 * have no such lookup, and listing them all would cost a request per page.
 */

type Kind = "user" | "team" | "group"

const kinds: ReadonlyArray<Kind> = ["user", "team", "group"]

const lookup = (client: FivetranClientShape, kind: Kind, id: string): Effect.Effect<unknown, FivetranError> =>
  kind === "user" ? client.getUser(id) : kind === "team" ? client.getTeam(id) : client.getGroup(id)

/**
 * Whether Fivetran has a `kind` with this id; a 404 is no. So is a 403: a key that may not read that
 * kind cannot tell, and the absence stands as it did before this check.
 */
const exists = (client: FivetranClientShape, kind: Kind, id: string): Effect.Effect<boolean, FivetranError> =>
  lookup(client, kind, id).pipe(
    Effect.as(true),
    Effect.catchTags({ NotFound: () => Effect.succeed(false), Forbidden: () => Effect.succeed(false) })
  )

/**
 * What the target's entitlement id names, when its resource is absent: the first other kind with
 * that id, and whether the principal's id is the entitlement's kind (the ids swapped).
 */
const otherKindOf = (
  client: FivetranClientShape,
  target: GrantTarget,
  action: string
): Effect.Effect<Option.Option<{ readonly kind: Kind; readonly swapped: boolean }>, ProvisioningError> => {
  const { entitlement, principal } = target
  const others = kinds.filter((kind) => kind !== entitlement.resourceType)
  return Effect.gen(function*() {
    const found = yield* Effect.all(others.map((kind) => exists(client, kind, entitlement.resourceId)), { concurrency: "unbounded" })
    const kind = others.find((_, index) => found[index])
    if (kind === undefined) return Option.none()
    const ownKind = kinds.find((candidate) => candidate === entitlement.resourceType)
    const swapped = kind === principal.type && ownKind !== undefined && (yield* exists(client, ownKind, principal.id))
    return Option.some({ kind, swapped })
  }).pipe(Effect.mapError(upstreamFailure(action)))
}

/**
 * The refusal for an entitlement whose resource id is another kind's, when it is one: `absent` is
 * the resource's absence ("group U does not exist"), `verb` the action (grant, revoke). Refused,
 * not reported absent: the id as given cannot be what was meant.
 */
export const entitlementOfOtherKind = (
  client: FivetranClientShape,
  target: GrantTarget,
  action: string,
  absent: string,
  verb: "grant" | "revoke"
): Effect.Effect<Option.Option<UnknownEntitlement>, ProvisioningError> =>
  Effect.map(
    otherKindOf(client, target, action),
    Option.map(({ kind, swapped }) => {
      const { entitlement, principal } = target
      const type = entitlement.resourceType
      const nothing = verb === "grant" ? "nothing was granted" : "nothing was revoked"
      const swappedEntitlement = `${type}:${principal.id}:${entitlement.slug}`
      const meant = verb === "grant"
        ? `grant ${swappedEntitlement} to ${principal.type}:${entitlement.resourceId}`
        : `revoke ${grantId(swappedEntitlement, { resourceType: principal.type, resource: entitlement.resourceId })}`
      return new UnknownEntitlement({
        message: `${absent}, but ${kind} ${echoed(entitlement.resourceId)} does: ${nothing}; ` +
          (swapped
            ? `the two ids look swapped (${type} ${echoed(principal.id)} does exist): ${echoed(meant)}`
            : `a ${type} entitlement names a ${type}'s id (${type}:<${type} id>:${echoed(entitlement.slug)})`)
      })
    })
  )
