import { BuiltInResourceTypes, FivetranIdPattern } from "@baton-fivetran/connector-core"

/**
 * The shapes of the ids provisioning takes, as patterns for the OpenAPI document, built from what
 * the service checks them with (connector-core's registry and FivetranIdPattern): a client reads
 * which ids the service refuses with 400 `InvalidId` (docs/architecture.md §2) before sending one.
 */

/** Any text but an unpaired surrogate (which no URL can carry). */
const text = "[^\\p{Cs}]+"
/** After the last ':', where the design's split puts the slug: not empty. */
const slug = "[^\\p{Cs}]*[^:\\p{Cs}]"

const grantable = BuiltInResourceTypes.flatMap((module) =>
  module.grants === undefined ? [] : [{
    type: module.type.id,
    // A role's id is its name, which may hold ':'; the other types' ids are Fivetran ids.
    resourceId: module.grants.resourceIdsMayContainColons === true ? text : FivetranIdPattern,
    grantableTo: module.grants.grantableTo
  }]
)

const entitlement = grantable.map(({ resourceId, type }) => `${type}:${resourceId}:${slug}`).join("|")

const principalTypes = [...new Set(grantable.flatMap(({ grantableTo }) => grantableTo))]

const fivetranIdRules = "no whitespace, control or invisible character, ':', '/' or '\\', not '.', '..' or an email address"

export const FivetranIdShape = {
  pattern: `^${FivetranIdPattern}$`,
  description: `A Fivetran id, such as nozzle_eat: ${fivetranIdRules}`
}

export const EntitlementIdShape = {
  pattern: `^(?:${entitlement})$`,
  description: `An entitlement id, \`<resource type>:<resource id>:<slug>\` of a type with grants (${
    grantable.map(({ type }) => type).join(", ")
  }), e.g. \`group:<group id>:<role name>\`, \`team:<team id>:member\` or \`role:<role name>:assigned\`; the ${
    grantable.filter(({ resourceId }) => resourceId === FivetranIdPattern).map(({ type }) => `${type}'s`).join(", ")
  } id is a Fivetran id (${fivetranIdRules})`
}

export const GrantIdShape = {
  pattern: `^(?:${entitlement}):(?:${principalTypes.join("|")}):${FivetranIdPattern}$`,
  description: `A grant id, \`<entitlement id>:<principal type>:<principal id>\`, the principal ${
    principalTypes.map((type) => `\`${type}:<${type} id>\``).join(" or ")
  }, e.g. \`group:<group id>:<role name>:user:<user id>\`; the principal's id is a Fivetran id (${fivetranIdRules})`
}
