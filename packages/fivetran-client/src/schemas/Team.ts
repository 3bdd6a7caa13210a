import { Schema } from "effect"

/** A team (docs/fivetran-api.md §4.1). `role` is the team's account role; both nullable (UNCONFIRMED upstream). */
export const Team = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  description: Schema.NullOr(Schema.String),
  role: Schema.NullOr(Schema.String)
})
export type Team = typeof Team.Type

export const CreateTeamRequest = Schema.Struct({
  name: Schema.String,
  description: Schema.optional(Schema.String),
  role: Schema.String
})
export type CreateTeamRequest = typeof CreateTeamRequest.Type

export const UpdateTeamRequest = Schema.Struct({
  name: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  role: Schema.optional(Schema.String)
})
export type UpdateTeamRequest = typeof UpdateTeamRequest.Type

/** `GET /v1/teams/{id}/users` items (docs/fivetran-api.md §4.2); `created_at` only in newer docs. */
export const TeamUserMembership = Schema.Struct({
  user_id: Schema.String,
  role: Schema.String,
  created_at: Schema.optional(Schema.String)
})
export type TeamUserMembership = typeof TeamUserMembership.Type

export const AddTeamUserRequest = Schema.Struct({ user_id: Schema.String, role: Schema.String })
export type AddTeamUserRequest = typeof AddTeamUserRequest.Type
