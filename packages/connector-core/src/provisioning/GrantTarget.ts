/**
 * What a provisioning request names once its id is parsed and checked against the registry:
 * the entitlement's resource type, the resource, the slug and the principal.
 */

export type PrincipalType = "user" | "team"

export interface EntitlementTarget {
  readonly id: string
  /** A registered type with grants (see ResourceTypeModule.grants). */
  readonly resourceType: string
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
export const GrantIdFormat = "<entitlement id>:<principal type>:<principal id>, e.g. group:<group id>:View Destination:user:<user id>"
