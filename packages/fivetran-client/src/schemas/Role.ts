import { Schema } from "effect"

export const RoleScope = Schema.Literal("ACCOUNT", "DESTINATION", "CONNECTOR", "TEAM")
export type RoleScope = typeof RoleScope.Type

/** `GET /v1/roles` items (docs/fivetran-api.md §6). */
export const Role = Schema.Struct({
  name: Schema.String,
  description: Schema.String,
  is_custom: Schema.Boolean,
  scope: Schema.Array(RoleScope),
  is_deprecated: Schema.NullOr(Schema.Boolean),
  replacement_role_name: Schema.NullOr(Schema.String)
})
export type Role = typeof Role.Type
