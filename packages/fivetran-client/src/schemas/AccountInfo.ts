import { Schema } from "effect"

/** `GET /v1/account/info` (docs/fivetran-api.md §7): exactly one of user_id / system_key_id is set. */
export const AccountInfo = Schema.Struct({
  account_id: Schema.String,
  account_name: Schema.String,
  user_id: Schema.NullOr(Schema.String),
  system_key_id: Schema.NullOr(Schema.String)
})
export type AccountInfo = typeof AccountInfo.Type
