import { Option, Schema } from "effect"
import { Timestamp } from "./Timestamp.js"

/** The user types this connector maps (docs/architecture.md §2), and the ones an invitation may ask for. */
export const UserType = Schema.Literal("REGULAR_USER", "SERVICE_ACCOUNT")
export type UserType = typeof UserType.Type

export const isUserType = Schema.is(UserType)

/**
 * A user's `email`: a service account may have none (docs/fivetran-api.md §2.2, newer docs), which
 * the API may send as null or leave out. Either reads as "" (no email), and "" is written as null.
 */
const Email = Schema.optionalToRequired(Schema.NullOr(Schema.String), Schema.String, {
  decode: Option.match({ onNone: () => "", onSome: (email) => email ?? "" }),
  encode: (email) => Option.some(email === "" ? null : email)
})

/**
 * A Fivetran user (docs/fivetran-api.md §2.2). In `GET /v1/groups/{id}/users` `role` is the group
 * role. `user_type` is kept as sent, any string: a type Fivetran adds failed the whole user list,
 * so every sync and account provisioning; a sync maps the known ones and warns of the others
 * (UserType.ts in connector-core).
 */
export const User = Schema.Struct({
  id: Schema.String,
  email: Email,
  given_name: Schema.String,
  family_name: Schema.String,
  verified: Schema.Boolean,
  invited: Schema.Boolean,
  picture: Schema.NullOr(Schema.String),
  phone: Schema.NullOr(Schema.String),
  role: Schema.NullOr(Schema.String),
  logged_in_at: Schema.NullOr(Timestamp),
  created_at: Timestamp,
  active: Schema.Boolean,
  user_type: Schema.optional(Schema.String)
})
export type User = typeof User.Type

/** `POST /v1/users` (docs/fivetran-api.md §2.3). */
export const InviteUserRequest = Schema.Struct({
  /** Required for a regular user; a service account may go without (docs/fivetran-api.md §2.3). */
  email: Schema.optional(Schema.String),
  given_name: Schema.String,
  family_name: Schema.String,
  phone: Schema.optional(Schema.String),
  picture: Schema.optional(Schema.String),
  role: Schema.optional(Schema.String),
  user_type: Schema.optional(UserType)
})
export type InviteUserRequest = typeof InviteUserRequest.Type

/** `PATCH /v1/users/{id}` (docs/fivetran-api.md §2.4): partial; `null` clears phone or picture. */
export const UpdateUserRequest = Schema.Struct({
  given_name: Schema.optional(Schema.String),
  family_name: Schema.optional(Schema.String),
  role: Schema.optional(Schema.String),
  phone: Schema.optional(Schema.NullOr(Schema.String)),
  picture: Schema.optional(Schema.NullOr(Schema.String))
})
export type UpdateUserRequest = typeof UpdateUserRequest.Type
