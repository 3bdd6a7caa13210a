import { echoed, type FivetranClientShape } from "@baton-fivetran/fivetran-client"
import { Effect, Option } from "effect"
import { grantId } from "../model/Ids.js"
import type { GrantTarget, Principal, PrincipalType } from "./GrantTarget.js"
import { type ProvisioningError, UnknownPrincipal } from "./ProvisioningError.js"
import { upstreamFailure } from "./UpstreamFailure.js"

/**
 * A team's id named as a user's, or a user's as a team's (`...:user:<team id>`, a grant id typed
 * by hand, a wrong --grant-principal-type, a team's id given to --delete-resource): the principal
 * reads as absent, and a revoke said "already revoked" (a delete "does not exist") while the team
 * kept the access. Asked only once the principal was not found, and only of a type the request can
 * name: one GET of the other type's endpoint.
 */

const otherType = (type: PrincipalType): PrincipalType => (type === "user" ? "team" : "user")

/** The principal of the other type with `named`'s id, when Fivetran has one; none when it answers 404. */
export const samePrincipalOfOtherType = (
  client: FivetranClientShape,
  named: Principal,
  possibleTypes: ReadonlyArray<PrincipalType>,
  action: string
): Effect.Effect<Option.Option<Principal>, ProvisioningError> => {
  const type = otherType(named.type)
  if (!possibleTypes.includes(type)) return Effect.succeedNone
  const read = type === "team" ? Effect.asVoid(client.getTeam(named.id)) : Effect.asVoid(client.getUser(named.id))
  return read.pipe(
    Effect.as(Option.some<Principal>({ type, id: named.id })),
    Effect.catchTag("NotFound", () => Effect.succeedNone),
    Effect.mapError(upstreamFailure(action))
  )
}

/** The refusal when the id is the other type's: what the request named, and the principal it meant. */
export const wrongPrincipalType = (named: Principal, meant: Principal, advice: string): UnknownPrincipal =>
  new UnknownPrincipal({
    message: `${named.type} ${echoed(named.id)} does not exist, but ${meant.type} ${echoed(meant.id)} does: ${advice}`
  })

/** What a grant to the principal the request meant is, for a revoke's refusal. */
export const meantGrantId = (target: GrantTarget, meant: Principal): string =>
  grantId(target.entitlement.id, { resourceType: meant.type, resource: meant.id })
