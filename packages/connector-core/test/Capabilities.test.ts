import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { BuiltInResourceTypes, capabilities, ConnectorCapabilitiesJson } from "../src/index.js"

describe("capabilities", () => {
  it("match baton's ConnectorCapabilities protojson", () => {
    const sync = "CAPABILITY_SYNC"
    const provision = "CAPABILITY_PROVISION"
    assert.deepStrictEqual(capabilities(BuiltInResourceTypes), {
      "@type": "type.googleapis.com/c1.connector.v2.ConnectorCapabilities",
      resourceTypeCapabilities: [
        {
          resourceType: { id: "connection", displayName: "Connection", description: "A Fivetran connection (opt-in: --sync-connections)" },
          capabilities: [sync, provision]
        },
        {
          resourceType: { id: "group", displayName: "Group", traits: ["TRAIT_GROUP"], description: "A Fivetran destination group" },
          capabilities: [sync, provision]
        },
        {
          resourceType: { id: "role", displayName: "Role", traits: ["TRAIT_ROLE"], description: "A Fivetran account role" },
          capabilities: [sync, provision]
        },
        {
          resourceType: {
            id: "team",
            displayName: "Team",
            traits: ["TRAIT_GROUP"],
            description: "A Fivetran team; its members inherit the team's account, destination and connection roles"
          },
          capabilities: [sync, provision]
        },
        {
          resourceType: {
            id: "user",
            displayName: "User",
            traits: ["TRAIT_USER"],
            annotations: [{ "@type": "type.googleapis.com/c1.connector.v2.SkipEntitlementsAndGrants" }],
            description: "A Fivetran user or service account"
          },
          capabilities: [sync, "CAPABILITY_ACCOUNT_PROVISIONING", "CAPABILITY_RESOURCE_DELETE"]
        }
      ],
      connectorCapabilities: [provision, sync, "CAPABILITY_ACCOUNT_PROVISIONING", "CAPABILITY_RESOURCE_DELETE"],
      credentialDetails: {
        capabilityAccountProvisioning: {
          supportedCredentialOptions: ["CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD"],
          preferredCredentialOption: "CAPABILITY_DETAIL_CREDENTIAL_OPTION_NO_PASSWORD"
        }
      }
    })
    assert.isTrue(Schema.is(ConnectorCapabilitiesJson)(capabilities(BuiltInResourceTypes)))
  })
})
