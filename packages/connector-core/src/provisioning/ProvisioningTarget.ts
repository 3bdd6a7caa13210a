import { Effect, Option } from "effect"
import {
  checkFivetranId,
  EmailShaped,
  type EntitlementIdParts,
  grantId,
  hasUnpairedSurrogate,
  type MalformedId,
  parseEntitlementId,
  parseGrantId
} from "../model/Ids.js"
import { echoed } from "@baton-fivetran/fivetran-client"
import { grantableModule, type ResourceTypeModule } from "../registry/ResourceTypeModule.js"
import { type EntitlementTarget, EntitlementIdFormat, type GrantTarget, GrantIdFormat, type Principal } from "./GrantTarget.js"
import { InvalidId, NotGrantable, type ProvisioningError, Unsupported } from "./ProvisioningError.js"

/**
 * What a provisioning request names, checked before anything is read: the id has the shape of
 * docs/architecture.md §2, its resource type is a registered one with grants, the principal
 * type may hold it, and the Fivetran ids it names (principal, group, team, connection) can be ones.
 */

type Registry = ReadonlyArray<ResourceTypeModule>

const invalid = (format: string) => (error: MalformedId): InvalidId =>
  new InvalidId({ message: `invalid ${error.kind} id ${JSON.stringify(echoed(error.id))}: ${error.reason} (expected ${format})` })

/** "a, b, c or d" */
const alternatives = (words: ReadonlyArray<string>): string =>
  words.length <= 1 ? words.join("") : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`

const provisionedIds = (registry: Registry) => registry.flatMap((module) => module.grants === undefined ? [] : [module.type.id])

/** Every type some entitlement can be granted to: what may stand before a grant id's last ':'. */
const principalTypes = (registry: Registry): ReadonlyArray<string> => [
  ...new Set(registry.flatMap((module) => module.grants?.grantableTo ?? []))
]

/**
 * A grant id with a segment too many ("...:user:u1:extra") splits into principal type "u1"; that
 * is a mistyped id (exit 2), not an entitlement that cannot be granted to a "u1".
 */
const checkedPrincipalType = (registry: Registry, id: string, principalType: string): Effect.Effect<void, InvalidId> => {
  const types = principalTypes(registry)
  return types.includes(principalType) ? Effect.void : Effect.fail(
    new InvalidId({
      message: `invalid grant id ${JSON.stringify(echoed(id))}: ${
        JSON.stringify(echoed(principalType))
      } (before the last ':') is not a principal type; a grant id ends with ${
        alternatives(types.map((type) => `:${type}:<${type} id>`))
      } (expected ${GrantIdFormat})`
    })
  )
}

const supported = (registry: Registry, id: string, resourceType: string): Effect.Effect<string, ProvisioningError> => {
  if (Option.isSome(grantableModule(registry, resourceType))) return Effect.succeed(resourceType)
  const provisioned = provisionedIds(registry)
  const registered = registry.some((module) => module.type.id === resourceType)
  // A type the connector does not have at all is a mistyped id (exit 2, 400), as a principal type is.
  return Effect.fail(
    registered
      ? new Unsupported({
        message: `"${echoed(id)}": ${resourceType}s have no entitlements to grant or revoke; grant a ${
          alternatives(provisioned)
        } entitlement to the ${resourceType} instead`
      })
      : new InvalidId({
        message: `invalid entitlement id ${JSON.stringify(echoed(id))}: "${
          echoed(resourceType)
        }" is not a resource type of this connector; entitlement ids start with ${provisioned.join(", ")}`
      })
  )
}

/** The type's resource ids are Fivetran ids, not names (ResourceTypeModule's `resourceIdsMayContainColons`). */
const hasFivetranIds = (registry: Registry, resourceType: string): boolean =>
  Option.match(grantableModule(registry, resourceType), {
    onNone: () => false,
    onSome: (module) => module.grants.resourceIdsMayContainColons !== true
  })

/**
 * For a type whose resource ids are Fivetran ids (no ':'), the slug is all that follows the resource
 * id; the design's split (slug after the last ':') differs only for a slug containing ':', a custom
 * role's name.
 */
const fivetranSplit = (id: string, parts: EntitlementIdParts): EntitlementIdParts => {
  const afterType = parts.resourceType.length + 1
  const afterResource = id.indexOf(":", afterType)
  return { ...parts, resourceId: id.slice(afterType, afterResource), slug: id.slice(afterResource + 1) }
}

const wellFormedId = (kind: string, id: string): Effect.Effect<void, InvalidId> =>
  hasUnpairedSurrogate(id)
    ? Effect.fail(new InvalidId({ message: `invalid ${kind} id ${JSON.stringify(echoed(id))}: it contains an unpaired UTF-16 surrogate` }))
    : Effect.void

/** A group, team or connection id is checked as a principal's is: "g_main " would read as absent. */
const checkedEntitlement = (registry: Registry, id: string, parsed: EntitlementIdParts) =>
  Effect.gen(function*() {
    yield* wellFormedId("entitlement", id)
    const resourceType = yield* supported(registry, id, parsed.resourceType)
    const fivetranIds = hasFivetranIds(registry, resourceType)
    const parts = fivetranIds ? fivetranSplit(id, parsed) : parsed
    if (fivetranIds) yield* checkedFivetranId(resourceType, parts.resourceId)
    return { id, resourceType, resourceId: parts.resourceId, slug: parts.slug } satisfies EntitlementTarget
  })

/**
 * The one check of a user, team, group or connection id, for every operation that names one: a
 * malformed id gets the same refusal from a grant, a revoke and a delete, before any request.
 */
/** An id given as `type:id` (`user:U`, `team:T`): the request's type field already says the type. */
const typedId = /^(user|team|group|connection):/

export const checkedFivetranId = (kind: string, id: string): Effect.Effect<string, InvalidId> =>
  EmailShaped.test(id)
    ? Effect.fail(
      new InvalidId({
        message: `invalid ${kind} id ${JSON.stringify(echoed(id))}: it is an email address, not a Fivetran id (such as ` +
          `nozzle_eat); give the ${kind}'s id, which the sync's resources list (a user's beside its email)`
      })
    )
    : typedId.test(id)
    ? Effect.fail(
      new InvalidId({
        message: `invalid ${kind} id ${JSON.stringify(echoed(id))}: give the id without its type (${
          echoed(id.slice(id.indexOf(":") + 1))
        })${id.startsWith(`${kind}:`) ? "" : `, and a ${kind}'s: it names a ${id.slice(0, id.indexOf(":"))}`}`
      })
    )
    : Effect.mapError(checkFivetranId(kind, id), (error) => new InvalidId({ message: error.message }))

const checkedPrincipal = (
  registry: Registry,
  entitlement: EntitlementTarget,
  principal: { readonly type: string; readonly id: string }
): Effect.Effect<Principal, ProvisioningError> => {
  const allowed = Option.match(grantableModule(registry, entitlement.resourceType), {
    onNone: () => [],
    onSome: (module) => module.grants.grantableTo
  })
  const type = allowed.find((t) => t === principal.type)
  if (type === undefined) {
    return Effect.fail(
      new NotGrantable({
        message: `${echoed(entitlement.id)} can be granted to ${allowed.join(" or ")} principals only, not to ${
          echoed(`${principal.type}:${principal.id}`)
        }`
      })
    )
  }
  return Effect.map(checkedFivetranId(type, principal.id), (id): Principal => ({ type, id }))
}

/**
 * The entitlements whose slug is the same for every resource of the type: an id typed without it
 * (`role:Account Reviewer`, `team:T`) is most likely that one, which the refusal names.
 */
const FixedSlugs: Readonly<Record<string, string>> = { role: "assigned", team: "member" }

/** `; did you mean role:R:assigned?` for an entitlement id of such a type without its slug, or nothing. */
const slugHint = (entitlementId: string): string => {
  const [type, resource, ...rest] = entitlementId.split(":")
  const slug = type === undefined ? undefined : FixedSlugs[type]
  if (slug === undefined || resource === undefined || resource === "" || resource === slug || rest.length > 0) return ""
  return `; did you mean ${echoed(`${type}:${resource}:${slug}`)}?`
}

/** The same for a grant id whose entitlement lacks its slug (`role:R:user:U`), or nothing. */
const grantSlugHint = (registry: Registry, id: string): string => {
  const parts = id.split(":")
  const [type, resource, principalType, principalId] = parts
  if (parts.length !== 4 || type === undefined || resource === undefined || principalType === undefined) return ""
  const slug = FixedSlugs[type]
  if (slug === undefined || resource === "" || resource === slug || principalId === "") return ""
  if (!principalTypes(registry).includes(principalType)) return ""
  return `; did you mean ${echoed(`${type}:${resource}:${slug}:${principalType}:${principalId}`)}?`
}

const withHint = (hint: string) => (error: InvalidId): InvalidId =>
  hint === "" ? error : new InvalidId({ message: `${error.message}${hint}` })

export const grantRequest = (
  registry: Registry,
  entitlementId: string,
  principal: { readonly type: string; readonly id: string }
): Effect.Effect<GrantTarget, ProvisioningError> =>
  Effect.gen(function*() {
    const parts = yield* Effect.mapError(
      parseEntitlementId(entitlementId),
      (error) => withHint(slugHint(entitlementId))(invalid(EntitlementIdFormat)(error))
    )
    const entitlement = yield* checkedEntitlement(registry, entitlementId, parts)
    const checked = yield* checkedPrincipal(registry, entitlement, principal)
    return { id: grantId(entitlementId, { resourceType: checked.type, resource: checked.id }), entitlement, principal: checked }
  })

export const grantTarget = (registry: Registry, id: string): Effect.Effect<GrantTarget, ProvisioningError> =>
  Effect.gen(function*() {
    const separators = id.split(":").length - 1
    if (separators < 4) {
      return yield* Effect.fail(
        new InvalidId({
          message: `invalid grant id ${
            JSON.stringify(echoed(id))
          }: it has ${separators} ':' separators, a grant id at least four (expected ${GrantIdFormat})${grantSlugHint(registry, id)}`
        })
      )
    }
    const parts = yield* Effect.mapError(parseGrantId(id), invalid(GrantIdFormat))
    yield* checkedPrincipalType(registry, id, parts.principalType)
    const entitlement = yield* checkedEntitlement(registry, parts.entitlementId, parts.entitlement)
    const principal = yield* checkedPrincipal(registry, entitlement, { type: parts.principalType, id: parts.principalId })
    return { id, entitlement, principal }
  })

/**
 * A grant id where an entitlement id belongs (copied from a listing of grants): read as an
 * entitlement its slug is "View Destination:user:U", which names no role, and the refusal said only
 * that. The refusal naming the entitlement in it, when the id is a whole grant id; asked once a grant
 * was refused, so that a custom role whose name reads so is still granted.
 */
export const grantIdAsEntitlement = (registry: Registry, entitlementId: string): Effect.Effect<Option.Option<InvalidId>> =>
  Effect.map(
    Effect.option(grantTarget(registry, entitlementId)),
    Option.map((pasted) =>
      new InvalidId({
        message: `invalid entitlement id ${JSON.stringify(echoed(entitlementId))}: it is a grant id, the entitlement ${
          echoed(pasted.entitlement.id)
        } held by ${pasted.principal.type}:${echoed(pasted.principal.id)}; grant ${echoed(pasted.entitlement.id)} instead`
      })
    )
  )
