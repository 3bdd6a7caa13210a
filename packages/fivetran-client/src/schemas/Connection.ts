import { Schema } from "effect"
import { Timestamp } from "./Timestamp.js"

/** The fields of a connection we use (docs/fivetran-api.md §12); the many others are accepted and ignored. */
export const ConnectionStatus = Schema.Struct({
  setup_state: Schema.String,
  sync_state: Schema.String
})

export const Connection = Schema.Struct({
  id: Schema.String,
  group_id: Schema.String,
  service: Schema.String,
  schema: Schema.String,
  connected_by: Schema.optional(Schema.NullOr(Schema.String)),
  created_at: Schema.optional(Timestamp),
  paused: Schema.optional(Schema.Boolean),
  status: Schema.optional(ConnectionStatus)
})
export type Connection = typeof Connection.Type

/**
 * `POST /v1/connections`: the identity-relevant part of the body. `config.schema` names the
 * destination schema (most services require it); the other config fields, schedules and setup
 * options are accepted and ignored.
 */
export const CreateConnectionRequest = Schema.Struct({
  service: Schema.NonEmptyString,
  group_id: Schema.NonEmptyString,
  paused: Schema.optional(Schema.Boolean),
  config: Schema.optional(Schema.Struct({ schema: Schema.optional(Schema.NonEmptyString) }))
})
export type CreateConnectionRequest = typeof CreateConnectionRequest.Type
