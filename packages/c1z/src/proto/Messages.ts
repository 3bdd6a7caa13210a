import type { AccountType, Purpose, Status, Trait } from "@baton-fivetran/connector-core"
import { typeUrlPrefix } from "./WellKnown.js"

/**
 * Names and enum numbers of the `c1.connector.v2` messages we write (docs/c1z-format.md §3).
 * Field numbers live next to the code that writes each field.
 */

export const protoPackage = "c1.connector.v2"

export const typeUrl = (message: string): string => `${typeUrlPrefix}${protoPackage}.${message}`

export const TypeUrls = {
  UserTrait: typeUrl("UserTrait"),
  GroupTrait: typeUrl("GroupTrait"),
  RoleTrait: typeUrl("RoleTrait"),
  SkipEntitlementsAndGrants: typeUrl("SkipEntitlementsAndGrants"),
  ChildResourceType: typeUrl("ChildResourceType"),
  EntitlementExclusionGroup: typeUrl("EntitlementExclusionGroup"),
  GrantExpandable: typeUrl("GrantExpandable"),
  GrantImmutable: typeUrl("GrantImmutable")
} as const

/** ResourceType.Trait (TRAIT_*). */
export const traitNumbers: Readonly<Record<Trait, number>> = { USER: 1, GROUP: 2, ROLE: 3, APP: 4 }

/** UserTrait.Status.Status and Resource's ResourceStatus share the numbers. */
export const statusNumbers: Readonly<Record<Status, number>> = { ENABLED: 1, DISABLED: 2, DELETED: 3 }

/** UserTrait.AccountType (ACCOUNT_TYPE_*). */
export const accountTypeNumbers: Readonly<Record<AccountType, number>> = { HUMAN: 1, SERVICE: 2, SYSTEM: 3 }

/** Entitlement.PurposeValue (PURPOSE_VALUE_*). */
export const purposeNumbers: Readonly<Record<Purpose, number>> = { ASSIGNMENT: 1, PERMISSION: 2, OWNERSHIP: 3 }

/** The inverse of a number table, for decoding. */
export const byNumber = <K extends string>(table: Readonly<Record<K, number>>): ReadonlyMap<number, K> =>
  new Map((Object.entries(table) as Array<[K, number]>).map(([name, n]) => [n, name]))
