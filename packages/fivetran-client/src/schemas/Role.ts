import { Schema } from "effect"

/** The scopes this connector maps, each to a kind of entitlement (docs/architecture.md §2). */
export const RoleScope = Schema.Literal("ACCOUNT", "DESTINATION", "CONNECTOR", "TEAM")
export type RoleScope = typeof RoleScope.Type

export const isRoleScope = Schema.is(RoleScope)

/**
 * `GET /v1/roles` items (docs/fivetran-api.md §6). `scope` is kept as sent, any string: Fivetran
 * adds scopes without a new API version, and one role of a scope this connector did not know
 * failed the whole list, so every sync and provisioning call. The known scopes are mapped
 * (RoleCatalog.ts), the others named in a sync warning (SyncCatalog.ts).
 */
export const Role = Schema.Struct({
  name: Schema.String,
  description: Schema.String,
  is_custom: Schema.Boolean,
  scope: Schema.Array(Schema.String),
  is_deprecated: Schema.NullOr(Schema.Boolean),
  replacement_role_name: Schema.NullOr(Schema.String)
})
export type Role = typeof Role.Type
