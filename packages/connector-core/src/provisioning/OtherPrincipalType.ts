import { echoed, type FivetranClientShape } from "@baton-fivetran/fivetran-client"
import { Effect, Option } from "effect"
import { grantId } from "../model/Ids.js"
import type { GrantTarget, Principal, PrincipalType } from "./GrantTarget.js"
import { type ProvisioningError, UnknownPrincipal } from "./ProvisioningError.js"
import { upstreamFailure } from "./UpstreamFailure.js"

/**
 * A team's id named as a user's, or a user's as a team's (`...:user:<team id>`, a grant id typed
 * by hand, a wrong --grant-principal-type): the principal reads as absent, and a revoke said
 * "already revoked" while the team kept the access. Asked only once the principal was not found,
 * and only of a type the entitlement can go to: one GET of the other type's endpoint.
 */

const otherType = (type: PrincipalType): PrincipalType => (type === "user" ? "team" : "user")

/** The principal of the other type with the same id, when Fivetran has one; none when it answers 404. */
export const samePrincipalOfOtherType = (
  client: FivetranClientShape,
  target: GrantTarget,
  grantableTo: ReadonlyArray<PrincipalType>,
  action: string
): Effect.Effect<Option.Option<Principal>, ProvisioningError> => {
  const type = otherType(target.principal.type)
  if (!grantableTo.includes(type)) return Effect.succeedNone
  const read = type === "team" ? Effect.asVoid(client.getTeam(target.principal.id)) : Effect.asVoid(client.getUser(target.principal.id))
  return read.pipe(
    Effect.as(Option.some<Principal>({ type, id: target.principal.id })),
    Effect.catchTag("NotFound", () => Effect.succeedNone),
    Effect.mapError(upstreamFailure(action))
  )
}

/** The refusal when the id is the other type's: what the request named, and the principal it meant. */
export const wrongPrincipalType = (target: GrantTarget, meant: Principal, advice: string): UnknownPrincipal =>
  new UnknownPrincipal({
    message: `${target.principal.type} ${echoed(target.principal.id)} does not exist, but ${meant.type} ${echoed(meant.id)} does: ${advice}`
  })

/** What a grant to the principal the request meant is, for a revoke's refusal. */
export const meantGrantId = (target: GrantTarget, meant: Principal): string =>
  grantId(target.entitlement.id, { resourceType: meant.type, resource: meant.id })
