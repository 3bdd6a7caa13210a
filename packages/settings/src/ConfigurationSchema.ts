import { Schema } from "effect"
import {
  ApiKey,
  ApiSecret,
  BaseUrl,
  Concurrency,
  ExclusionGroups,
  MaxRateLimitWait,
  RateLimitReserve,
  RequestTimeout,
  SyncConnections
} from "./BatonSettings.js"
import type { Setting } from "./Setting.js"

/**
 * The connector's settings as c1.config.v1.Configuration protojson (`baton-fivetran config`), built
 * from their declarations: name (the flag), description, required, secret, type and default.
 */

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
    rules: Schema.optional(Schema.Struct({ lte: Schema.optional(Schema.String), gte: Schema.optional(Schema.String) }))
  })),
  boolField: Schema.optional(Schema.Struct({ defaultValue: Schema.optional(Schema.Boolean) }))
})
export type ConfigFieldJson = typeof ConfigFieldJson.Type

export const ConfigurationJson = Schema.Struct({
  fields: Schema.Array(ConfigFieldJson),
  displayName: Schema.String
})
export type ConfigurationJson = typeof ConfigurationJson.Type

/**
 * protojson omits `false` and empty values, so a bool field defaulting to false is `boolField: {}`.
 * A text field's default is as help shows it (`1h`, not the milliseconds a duration holds).
 */
const field = (setting: Setting<unknown>, displayName: string): ConfigFieldJson => {
  const required = setting.fallback._tag === "Required"
  const defaultValue = setting.fallback._tag === "Default" ? setting.fallback.value() : undefined
  const shownDefault = setting.fallback._tag === "Default" ? setting.fallback.shown : undefined
  const type = setting.kind.field
  return {
    name: setting.flag,
    displayName,
    description: setting.description.replace(/\.$/, ""),
    ...(required ? { isRequired: true } : {}),
    ...(setting.kind.secret ? { isSecret: true } : {}),
    ...(type._tag === "Int"
      ? {
        intField: {
          ...(defaultValue === undefined ? {} : { defaultValue: String(defaultValue) }),
          rules: { lte: String(type.maximum), gte: String(type.minimum) }
        }
      }
      : type._tag === "Bool"
      ? { boolField: defaultValue === true ? { defaultValue: true } : {} }
      : {
        stringField: {
          ...(shownDefault === undefined ? {} : { defaultValue: shownDefault }),
          ...(required ? { rules: { isRequired: true } } : {})
        }
      })
  }
}

export const configurationSchema = (): ConfigurationJson => ({
  fields: [
    field(ApiKey, "API key"),
    field(ApiSecret, "API secret"),
    field(BaseUrl, "Base URL"),
    field(SyncConnections, "Sync connections"),
    field(Concurrency, "Concurrency"),
    field(ExclusionGroups, "Exclusion groups"),
    field(RateLimitReserve, "Rate-limit reserve"),
    field(MaxRateLimitWait, "Maximum rate-limit wait"),
    field(RequestTimeout, "Request timeout")
  ],
  displayName: "Fivetran"
})
