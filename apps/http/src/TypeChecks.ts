import { type ResourceId, resourceTypeIds, type ResourceTypeModule } from "@baton-fivetran/connector-core"
import { InvalidRequest } from "@baton-fivetran/http-api"
import { Effect } from "effect"

/**
 * The parameters naming a resource type, checked against the registry the service runs with (the
 * contract takes any string: see http-api's Ids.ts). Each refusal names the field and the
 * registered types.
 */
export interface TypeChecks {
  /** `type=`: a registered type id. */
  readonly type: (field: string, value: string) => Effect.Effect<string, InvalidRequest>
  /** `<type>:<id>` with a registered type; the id is everything after the first `:`. */
  readonly resourceRef: (field: string, ref: string) => Effect.Effect<ResourceId, InvalidRequest>
  /** `<type>:<id>:<slug>` with a registered type. */
  readonly entitlementRef: (field: string, ref: string) => Effect.Effect<string, InvalidRequest>
}

/** `type:id`; the id is everything after the first `:` (`TypeChecks.resourceRef` checks the shape first). */
export const parseResourceRef = (ref: string): ResourceId => {
  const colon = ref.indexOf(":")
  return { resourceType: ref.slice(0, colon), resource: ref.slice(colon + 1) }
}

export const makeTypeChecks = (registry: ReadonlyArray<ResourceTypeModule>): TypeChecks => {
  const ids = resourceTypeIds(registry)
  const list = ids.join(", ")
  const refuse = (field: string, message: string) => Effect.fail(new InvalidRequest({ field, message: `${field}: ${message}` }))
  const known = (type: string) => ids.includes(type)
  return {
    type: (field, value) => known(value) ? Effect.succeed(value) : refuse(field, `must be one of ${list}`),
    resourceRef: (field, ref) => {
      const parsed = parseResourceRef(ref)
      return ref.includes(":") && parsed.resourceType !== "" && parsed.resource !== "" && known(parsed.resourceType)
        ? Effect.succeed(parsed)
        : refuse(field, `expected <resource type>:<resource id> with a type of ${list}, e.g. user:abc123`)
    },
    entitlementRef: (field, ref) => {
      const first = ref.indexOf(":")
      const last = ref.lastIndexOf(":")
      return first > 0 && last > first + 1 && last < ref.length - 1 && known(ref.slice(0, first))
        ? Effect.succeed(ref)
        : refuse(
          field,
          `expected an entitlement id <resource type>:<resource id>:<slug> with a type of ${list}, e.g. team:xyz:member`
        )
    }
  }
}
