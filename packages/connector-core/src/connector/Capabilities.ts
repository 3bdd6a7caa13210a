import { Schema } from "effect"
import type { ResourceType, Trait } from "../model/Baton.js"
import type { ResourceTypeModule } from "../registry/ResourceTypeModule.js"
import { Capability, capabilityNumber } from "./Capability.js"

/**
 * `<connector> capabilities`: c1.connector.v2.ConnectorCapabilities as protojson (docs/baton-conventions.md,
 * "`capabilities` and `config`"). Derived like baton's GetCapabilities: every syncer gets SYNC, a
 * provisioner PROVISION, the account manager ACCOUNT_PROVISIONING, the deleter RESOURCE_DELETE; types
 * sorted by id; the connector-wide list is the union in enum order. Empty repeated fields are
 * omitted, as protojson does.
 */

export const AnyAnnotationJson = Schema.Struct(
  { "@type": Schema.String },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

export const ResourceTypeJson = Schema.Struct({
  id: Schema.String,
  displayName: Schema.String,
  traits: Schema.optional(Schema.Array(Schema.String)),
  annotations: Schema.optional(Schema.Array(AnyAnnotationJson)),
  description: Schema.optional(Schema.String)
})
export type ResourceTypeJson = typeof ResourceTypeJson.Type

const NoPassword = Schema.Literal("CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD")

export const ConnectorCapabilitiesJson = Schema.Struct({
  "@type": Schema.Literal("type.googleapis.com/c1.connector.v2.ConnectorCapabilities"),
  resourceTypeCapabilities: Schema.Array(Schema.Struct({
    resourceType: ResourceTypeJson,
    capabilities: Schema.Array(Capability)
  })),
  connectorCapabilities: Schema.Array(Capability),
  credentialDetails: Schema.Struct({
    capabilityAccountProvisioning: Schema.Struct({
      supportedCredentialOptions: Schema.Array(NoPassword),
      preferredCredentialOption: NoPassword
    })
  })
})
export type ConnectorCapabilitiesJson = typeof ConnectorCapabilitiesJson.Type

const traitJson = (trait: Trait): string => `TRAIT_${trait}`

const anyType = (message: string) => `type.googleapis.com/c1.connector.v2.${message}`

/** A ResourceType in protojson (field order as in resource.proto). */
export const resourceTypeJson = (type: ResourceType): ResourceTypeJson => ({
  id: type.id,
  displayName: type.displayName,
  ...(type.traits.length === 0 ? {} : { traits: type.traits.map(traitJson) }),
  ...(type.annotations.length === 0 ? {} : {
    annotations: type.annotations.map((annotation) =>
      annotation._tag === "ChildResourceType"
        ? { "@type": anyType("ChildResourceType"), resourceTypeId: annotation.resourceTypeId }
        : { "@type": anyType(annotation._tag) }
    )
  }),
  ...(type.description === undefined ? {} : { description: type.description })
})

/** What the registered types implement (ResourceTypeModule.capabilities). */
export const capabilities = (registry: ReadonlyArray<ResourceTypeModule>): ConnectorCapabilitiesJson => {
  const sorted = [...registry].sort((a, b) => (a.type.id < b.type.id ? -1 : a.type.id > b.type.id ? 1 : 0))
  const union = Array.from(new Set(sorted.flatMap((module) => module.capabilities)))
    .sort((a, b) => capabilityNumber[a] - capabilityNumber[b])
  return {
    "@type": "type.googleapis.com/c1.connector.v2.ConnectorCapabilities",
    resourceTypeCapabilities: sorted.map((module) => ({
      resourceType: resourceTypeJson(module.type),
      capabilities: module.capabilities
    })),
    connectorCapabilities: union,
    credentialDetails: {
      capabilityAccountProvisioning: {
        supportedCredentialOptions: ["CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD"],
        preferredCredentialOption: "CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD"
      }
    }
  }
}
