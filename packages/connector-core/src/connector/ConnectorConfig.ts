import { DefaultBaseUrl } from "@baton-fivetran/fivetran-client"
import { Config, Schema } from "effect"

/**
 * The connector's settings. `configurationSchema()` describes them as c1.config.v1.Configuration
 * protojson (`<connector> config`), named as baton flags are (`--api-key`, ...). `ConnectorConfig`
 * reads them through Effect's Config under the constant-case names the client's config also uses
 * (`API_KEY`, `API_SECRET`, `BASE_URL`, `SYNC_CONNECTIONS`, `CONCURRENCY`; apps nest them, e.g.
 * `BATON_API_KEY`), keeping the secrets Redacted.
 */

export { DefaultBaseUrl }
export const DefaultConcurrency = 8

export const ConnectorConfig = Config.all({
  apiKey: Config.redacted("API_KEY"),
  apiSecret: Config.redacted("API_SECRET"),
  baseUrl: Config.string("BASE_URL").pipe(Config.withDefault(DefaultBaseUrl)),
  syncConnections: Config.boolean("SYNC_CONNECTIONS").pipe(Config.withDefault(false)),
  concurrency: Config.integer("CONCURRENCY").pipe(
    Config.validate({ message: "concurrency must be at least 1", validation: (n) => n >= 1 }),
    Config.withDefault(DefaultConcurrency)
  )
})
export type ConnectorConfig = Config.Config.Success<typeof ConnectorConfig>

const StringRules = Schema.Struct({ isRequired: Schema.optional(Schema.Boolean) })

export const ConfigFieldJson = Schema.Struct({
  name: Schema.String,
  displayName: Schema.String,
  description: Schema.String,
  isRequired: Schema.optional(Schema.Boolean),
  isSecret: Schema.optional(Schema.Boolean),
  stringField: Schema.optional(Schema.Struct({ defaultValue: Schema.optional(Schema.String), rules: Schema.optional(StringRules) })),
  /** int64 values are strings in protojson. */
  intField: Schema.optional(Schema.Struct({
    defaultValue: Schema.optional(Schema.String),
    rules: Schema.optional(Schema.Struct({ gte: Schema.optional(Schema.String) }))
  })),
  boolField: Schema.optional(Schema.Struct({ defaultValue: Schema.optional(Schema.Boolean) }))
})
export type ConfigFieldJson = typeof ConfigFieldJson.Type

export const ConfigurationJson = Schema.Struct({
  fields: Schema.Array(ConfigFieldJson),
  displayName: Schema.String
})
export type ConfigurationJson = typeof ConfigurationJson.Type

/** protojson omits `false`, so a bool field defaulting to false is `boolField: {}`. */
export const configurationSchema = (): ConfigurationJson => ({
  fields: [
    {
      name: "api-key",
      displayName: "API key",
      description: "The Fivetran API key (a scoped user key or a system key)",
      isRequired: true,
      stringField: { rules: { isRequired: true } }
    },
    {
      name: "api-secret",
      displayName: "API secret",
      description: "The secret of the Fivetran API key",
      isRequired: true,
      isSecret: true,
      stringField: { rules: { isRequired: true } }
    },
    {
      name: "base-url",
      displayName: "Base URL",
      description: "The Fivetran REST API base URL",
      stringField: { defaultValue: DefaultBaseUrl }
    },
    {
      name: "sync-connections",
      displayName: "Sync connections",
      description: "Also sync connections and connection-level access (needs CONNECTOR:READ on a system key)",
      boolField: {}
    },
    {
      name: "concurrency",
      displayName: "Concurrency",
      description: "How many Fivetran membership requests may run at once",
      intField: { defaultValue: String(DefaultConcurrency), rules: { gte: "1" } }
    },
    {
      name: "exclusion-groups",
      displayName: "Exclusion groups",
      description: "Also write EntitlementExclusionGroup annotations (readers need a baton-sdk newer than v0.7.27)",
      boolField: {}
    }
  ],
  displayName: "Fivetran"
})
