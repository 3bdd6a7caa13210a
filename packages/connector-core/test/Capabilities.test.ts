import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Redacted, Schema } from "effect"
import { BuiltInResourceTypes, capabilities, ConfigurationJson, configurationSchema, ConnectorCapabilitiesJson, ConnectorConfig } from "../src/index.js"

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

describe("configuration", () => {
  it("describes the connector's fields as c1.config.v1.Configuration protojson", () => {
    const schema = configurationSchema()
    assert.isTrue(Schema.is(ConfigurationJson)(schema))
    assert.strictEqual(schema.displayName, "Fivetran")
    assert.deepStrictEqual(schema.fields.map((f) => f.name), ["api-key", "api-secret", "base-url", "sync-connections", "concurrency", "exclusion-groups"])
    assert.deepStrictEqual(schema.fields[1], {
      name: "api-secret",
      displayName: "API secret",
      description: "The secret of the Fivetran API key",
      isRequired: true,
      isSecret: true,
      stringField: { rules: { isRequired: true } }
    })
    assert.deepStrictEqual(schema.fields[2]?.stringField, { defaultValue: "https://api.fivetran.com" })
    assert.deepStrictEqual(schema.fields[3]?.boolField, {})
    assert.deepStrictEqual(schema.fields[4]?.intField, { defaultValue: "8", rules: { gte: "1" } })
    assert.deepStrictEqual(schema.fields[5]?.boolField, {})
  })

  it.effect("reads the settings with defaults, keeping secrets redacted", () =>
    Effect.gen(function*() {
      const config = yield* ConnectorConfig.pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["API_KEY", "k"], ["API_SECRET", "s3cret"]])))
      )
      assert.strictEqual(Redacted.value(config.apiSecret), "s3cret")
      assert.strictEqual(String(config.apiSecret), "<redacted>")
      assert.deepStrictEqual([config.baseUrl, config.syncConnections, config.concurrency], ["https://api.fivetran.com", false, 8])
      const bad = yield* Effect.flip(ConnectorConfig.pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["API_KEY", "k"], ["API_SECRET", "s"], ["CONCURRENCY", "0"]])))
      ))
      assert.include(String(bad), "concurrency must be at least 1")
    }))
})
