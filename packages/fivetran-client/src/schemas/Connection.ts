import { Schema } from "effect"

/** The fields of a connection we use (§12); the many others are accepted and ignored. */
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
  created_at: Schema.optional(Schema.String),
  paused: Schema.optional(Schema.Boolean),
  status: Schema.optional(ConnectionStatus)
})
export type Connection = typeof Connection.Type
