import { Schema } from "effect"
import { Timestamp } from "./Timestamp.js"

/** A destination group (docs/fivetran-api.md §3.1). */
export const Group = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  created_at: Timestamp
})
export type Group = typeof Group.Type

/** `POST /v1/groups` and `PATCH /v1/groups/{id}`. */
export const GroupNameRequest = Schema.Struct({ name: Schema.String })
export type GroupNameRequest = typeof GroupNameRequest.Type

/** `POST /v1/groups/{id}/users`: the user is named by email (docs/fivetran-api.md §3.2). */
export const AddGroupUserRequest = Schema.Struct({ email: Schema.String, role: Schema.String })
export type AddGroupUserRequest = typeof AddGroupUserRequest.Type
