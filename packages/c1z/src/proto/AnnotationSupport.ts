import { typeUrl } from "./Messages.js"

/**
 * Which `c1.connector.v2` annotation messages a reader can resolve. A baton reader fails on an
 * `Any` whose type it does not know (`baton entitlements -o json` exits 1), so the writer only
 * writes annotation types that the target SDK has.
 */

/** The annotation messages of baton-sdk v0.7.27, the SDK the current `baton` CLI release vendors. */
const batonSdkV0_7_27 = [
  "Aliases",
  "AppTrait",
  "BatonID",
  "ChildResourceType",
  "ETag",
  "ETagMatch",
  "ETagMetadata",
  "EntitlementImmutable",
  "ExternalLink",
  "ExternalResourceMatch",
  "ExternalResourceMatchAll",
  "ExternalResourceMatchID",
  "ExternalTicketRef",
  "ExternalTicketSettings",
  "GrantAlreadyExists",
  "GrantAlreadyRevoked",
  "GrantExpandable",
  "GrantImmutable",
  "GrantMetadata",
  "GroupTrait",
  "InsertResourceGrants",
  "Issue",
  "RateLimitDescription",
  "RawId",
  "RequestId",
  "ResourceDoesNotExist",
  "RiskFactor",
  "RiskScore",
  "RoleScopeCondition",
  "RoleScopeConditions",
  "RoleTrait",
  "ScopeBindingTrait",
  "SecretTrait",
  "SecurityInsightTrait",
  "SkipEntitlements",
  "SkipEntitlementsAndGrants",
  "SkipGrants",
  "UserTrait",
  "V1Identifier"
] as const

/** Annotation messages newer than that SDK, written only when asked for (the reader needs a newer SDK). */
export interface OptInAnnotations {
  /** `EntitlementExclusionGroup`: the per-container role entitlements are mutually exclusive. */
  readonly exclusionGroups?: boolean | undefined
}

const optIn: Readonly<Record<keyof OptInAnnotations, string>> = {
  exclusionGroups: "EntitlementExclusionGroup"
}

/** The type URLs readers of baton-sdk v0.7.27 resolve (`google.protobuf.*` well-known types aside). */
export const batonSdkV0_7_27TypeUrls: ReadonlySet<string> = new Set(batonSdkV0_7_27.map(typeUrl))

/** The annotation type URLs a writer may emit: the target SDK's, plus the opt-ins switched on. */
export const writableAnnotationTypeUrls = (options: OptInAnnotations = {}): ReadonlySet<string> => {
  const urls = new Set(batonSdkV0_7_27TypeUrls)
  for (const [option, message] of Object.entries(optIn) as Array<[keyof OptInAnnotations, string]>) {
    if (options[option] === true) urls.add(typeUrl(message))
  }
  return urls
}
