import { Schema } from "effect"

/**
 * The baton data model (`c1.connector.v2`, docs/c1z-format.md §3) in the shape the connector emits.
 * Field names are the proto's, in camelCase. Timestamps are ISO-8601 strings. The `.c1z` writer
 * turns these into protobuf; the HTTP service serves them as JSON.
 */

/** google.protobuf.Struct content: a JSON object. */
export const Profile = Schema.Record({ key: Schema.String, value: Schema.Unknown })
export type Profile = typeof Profile.Type

export const Trait = Schema.Literal("USER", "GROUP", "ROLE", "APP")
export type Trait = typeof Trait.Type

export const ResourceId = Schema.Struct({
  resourceType: Schema.String,
  resource: Schema.String
})
export type ResourceId = typeof ResourceId.Type

// Resource-type annotations.
export const SkipEntitlementsAndGrants = Schema.TaggedStruct("SkipEntitlementsAndGrants", {})
export const ChildResourceType = Schema.TaggedStruct("ChildResourceType", { resourceTypeId: Schema.String })

export const ResourceType = Schema.Struct({
  id: Schema.String,
  displayName: Schema.String,
  traits: Schema.Array(Trait),
  description: Schema.optional(Schema.String),
  annotations: Schema.Array(Schema.Union(SkipEntitlementsAndGrants, ChildResourceType))
})
export type ResourceType = typeof ResourceType.Type

export const Status = Schema.Literal("ENABLED", "DISABLED", "DELETED")
export type Status = typeof Status.Type

export const ResourceStatus = Schema.Struct({
  status: Status,
  details: Schema.optional(Schema.String)
})
export type ResourceStatus = typeof ResourceStatus.Type

export const AccountType = Schema.Literal("HUMAN", "SERVICE", "SYSTEM")
export type AccountType = typeof AccountType.Type

export const StructuredName = Schema.Struct({
  givenName: Schema.String,
  familyName: Schema.String
})
export type StructuredName = typeof StructuredName.Type

/** UserTrait (annotation_trait.proto): both its deprecated status/profile/createdAt and the Resource-level copies are set. */
export const UserTrait = Schema.TaggedStruct("UserTrait", {
  emails: Schema.Array(Schema.Struct({ address: Schema.String, isPrimary: Schema.Boolean })),
  status: ResourceStatus,
  profile: Schema.optional(Profile),
  accountType: AccountType,
  login: Schema.optional(Schema.String),
  createdAt: Schema.optional(Schema.String),
  lastLogin: Schema.optional(Schema.String),
  structuredName: Schema.optional(StructuredName)
})
export type UserTrait = typeof UserTrait.Type

export const GroupTrait = Schema.TaggedStruct("GroupTrait", { profile: Schema.optional(Profile) })
export type GroupTrait = typeof GroupTrait.Type

export const RoleTrait = Schema.TaggedStruct("RoleTrait", { profile: Schema.optional(Profile) })
export type RoleTrait = typeof RoleTrait.Type

export const ResourceAnnotation = Schema.Union(UserTrait, GroupTrait, RoleTrait, SkipEntitlementsAndGrants, ChildResourceType)
export type ResourceAnnotation = typeof ResourceAnnotation.Type

export const Resource = Schema.Struct({
  id: ResourceId,
  parentResourceId: Schema.optional(ResourceId),
  displayName: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  annotations: Schema.Array(ResourceAnnotation),
  profile: Schema.optional(Profile),
  status: Schema.optional(ResourceStatus),
  createdAt: Schema.optional(Schema.String)
})
export type Resource = typeof Resource.Type

// Entitlement annotations.
export const EntitlementExclusionGroup = Schema.TaggedStruct("EntitlementExclusionGroup", {
  exclusionGroupId: Schema.String,
  order: Schema.optional(Schema.Int),
  isDefault: Schema.optional(Schema.Boolean),
  scopeToResource: Schema.optional(Schema.Boolean)
})
export type EntitlementExclusionGroup = typeof EntitlementExclusionGroup.Type

export const Purpose = Schema.Literal("ASSIGNMENT", "PERMISSION", "OWNERSHIP")
export type Purpose = typeof Purpose.Type

export const Entitlement = Schema.Struct({
  id: Schema.String,
  resource: Resource,
  displayName: Schema.String,
  description: Schema.optional(Schema.String),
  /** Principal resource types that may hold it. */
  grantableTo: Schema.Array(ResourceType),
  purpose: Purpose,
  slug: Schema.String,
  annotations: Schema.Array(EntitlementExclusionGroup)
})
export type Entitlement = typeof Entitlement.Type

// Grant annotations.
export const GrantExpandable = Schema.TaggedStruct("GrantExpandable", {
  entitlementIds: Schema.Array(Schema.String),
  shallow: Schema.optional(Schema.Boolean),
  resourceTypeIds: Schema.optional(Schema.Array(Schema.String))
})
export type GrantExpandable = typeof GrantExpandable.Type

export const GrantImmutable = Schema.TaggedStruct("GrantImmutable", {
  sourceId: Schema.optional(Schema.String)
})
export type GrantImmutable = typeof GrantImmutable.Type

export const GrantAnnotation = Schema.Union(GrantExpandable, GrantImmutable)
export type GrantAnnotation = typeof GrantAnnotation.Type

/** GrantSources: key = source entitlement id. */
export const GrantSources = Schema.Record({
  key: Schema.String,
  value: Schema.Struct({ isDirect: Schema.Boolean })
})
export type GrantSources = typeof GrantSources.Type

export const Grant = Schema.Struct({
  id: Schema.String,
  entitlement: Entitlement,
  /** As baton-sdk's NewGrant: the principal's id (display data lives on its own resource row). */
  principal: Resource,
  annotations: Schema.Array(GrantAnnotation),
  sources: Schema.optional(GrantSources)
})
export type Grant = typeof Grant.Type

/** One row of a sync, in the order a sink receives them. */
export const SyncRow = Schema.Union(
  Schema.TaggedStruct("ResourceTypeRow", { value: ResourceType }),
  Schema.TaggedStruct("ResourceRow", { value: Resource }),
  Schema.TaggedStruct("EntitlementRow", { value: Entitlement }),
  Schema.TaggedStruct("GrantRow", { value: Grant })
)
export type SyncRow = typeof SyncRow.Type
