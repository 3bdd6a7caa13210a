import { Effect } from "effect"
import { grantId, type MalformedId, parseEntitlementId, parseGrantId } from "../model/Ids.js"
import { InvalidId, InvalidInput, NotGrantable, type ProvisioningError, Unsupported } from "./ProvisioningError.js"

/**
 * What a provisioning request names, checked before anything is read: the id has the design's
 * shape (design.md §2), its resource type is one we provision, and the principal type may hold it.
 */

export type ProvisionedType = "role" | "group" | "team" | "connection"
export type PrincipalType = "user" | "team"

export interface EntitlementTarget {
  readonly id: string
  readonly resourceType: ProvisionedType
  readonly resourceId: string
  readonly slug: string
}

export interface Principal {
  readonly type: PrincipalType
  readonly id: string
}

export interface GrantTarget {
  readonly id: string
  readonly entitlement: EntitlementTarget
  readonly principal: Principal
}

export const EntitlementIdFormat = "<type>:<id>:<slug>, e.g. group:<group id>:View Destination"
export const GrantIdFormat =
  "<entitlement id>:<principal type>:<principal id>, e.g. group:<group id>:View Destination:user:<user id>"

const provisioned: ReadonlyArray<ProvisionedType> = ["role", "group", "team", "connection"]

/** Teams do not nest: team entitlements go to users only; every other one to users and teams. */
export const grantableTo = (type: ProvisionedType): ReadonlyArray<PrincipalType> =>
  type === "team" ? ["user"] : ["user", "team"]

const invalid = (format: string) => (error: MalformedId): InvalidId =>
  new InvalidId({ message: `invalid ${error.kind} id "${error.id}": ${error.reason} (expected ${format})` })

const supported = (id: string, resourceType: string): Effect.Effect<ProvisionedType, ProvisioningError> => {
  const found = provisioned.find((type) => type === resourceType)
  if (found !== undefined) return Effect.succeed(found)
  return Effect.fail(
    new Unsupported({
      message: resourceType === "user"
        ? `"${id}": users have no entitlements to grant or revoke; grant a role, group, team or connection entitlement to the user instead`
        : `"${id}": resource type "${resourceType}" is not provisioned; entitlement ids start with ${provisioned.join(", ")}`
    })
  )
}

const checkedEntitlement = (id: string, parts: { resourceType: string; resourceId: string; slug: string }) =>
  Effect.map(supported(id, parts.resourceType), (resourceType): EntitlementTarget => ({
    id,
    resourceType,
    resourceId: parts.resourceId,
    slug: parts.slug
  }))

const checkedPrincipal = (
  entitlement: EntitlementTarget,
  principal: { readonly type: string; readonly id: string }
): Effect.Effect<Principal, ProvisioningError> => {
  if (principal.id === "" || principal.id.includes(":")) {
    return Effect.fail(
      new InvalidInput({ message: `invalid principal id "${principal.id}": it must be non-empty and contain no ':'` })
    )
  }
  const allowed = grantableTo(entitlement.resourceType)
  const type = allowed.find((t) => t === principal.type)
  if (type === undefined) {
    return Effect.fail(
      new NotGrantable({
        message:
          `${entitlement.id} can be granted to ${allowed.join(" or ")} principals only, not to ${principal.type}:${principal.id}`
      })
    )
  }
  return Effect.succeed({ type, id: principal.id })
}

export const entitlementTarget = (id: string): Effect.Effect<EntitlementTarget, ProvisioningError> =>
  parseEntitlementId(id).pipe(
    Effect.mapError(invalid(EntitlementIdFormat)),
    Effect.flatMap((parts) => checkedEntitlement(id, parts))
  )

export const grantRequest = (
  entitlementId: string,
  principal: { readonly type: string; readonly id: string }
): Effect.Effect<GrantTarget, ProvisioningError> =>
  Effect.gen(function*() {
    const entitlement = yield* entitlementTarget(entitlementId)
    const checked = yield* checkedPrincipal(entitlement, principal)
    return { id: grantId(entitlementId, { resourceType: checked.type, resource: checked.id }), entitlement, principal: checked }
  })

export const grantTarget = (id: string): Effect.Effect<GrantTarget, ProvisioningError> =>
  Effect.gen(function*() {
    const separators = id.split(":").length - 1
    if (separators < 4) {
      return yield* Effect.fail(
        new InvalidId({
          message:
            `invalid grant id "${id}": it has ${separators} ':' separators, a grant id at least four (expected ${GrantIdFormat})`
        })
      )
    }
    const parts = yield* Effect.mapError(parseGrantId(id), invalid(GrantIdFormat))
    const entitlement = yield* checkedEntitlement(parts.entitlementId, parts.entitlement)
    const principal = yield* checkedPrincipal(entitlement, { type: parts.principalType, id: parts.principalId })
    return { id, entitlement, principal }
  })
