import type { Entitlement, Purpose, Resource, ResourceType } from "./Baton.js"
import { entitlementId } from "./Ids.js"

export interface EntitlementOptions {
  readonly purpose: Purpose
  readonly displayName: string
  readonly description?: string | undefined
  readonly grantableTo: ReadonlyArray<ResourceType>
  /** Entitlements sharing an exclusion group cannot be held together (one role per container). */
  readonly exclusionGroupId?: string | undefined
}

/** baton's NewAssignmentEntitlement / NewPermissionEntitlement: id from the resource and slug. */
export const makeEntitlement = (resource: Resource, slug: string, options: EntitlementOptions): Entitlement => ({
  id: entitlementId(resource.id, slug),
  resource,
  displayName: options.displayName,
  ...(options.description === undefined ? {} : { description: options.description }),
  grantableTo: options.grantableTo,
  purpose: options.purpose,
  slug,
  annotations: options.exclusionGroupId === undefined
    ? []
    : [{ _tag: "EntitlementExclusionGroup", exclusionGroupId: options.exclusionGroupId }]
})
