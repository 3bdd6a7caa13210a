import { UpdateUserRequest } from "@baton-fivetran/fivetran-client"
import { Effect, Schema } from "effect"
import { type ApiError, invalidInput } from "./ApiError.js"

/**
 * The body of `PATCH /v1/users/{id}`. Fivetran's "Update a User" page lists given_name, family_name,
 * role, phone and picture; the user's other fields are read-only (the "User" page: email, the
 * lifecycle flags, the timestamps). Whether Fivetran refuses or drops a field it does not change is
 * not documented: the sandbox refuses it, since a 200 that kept the old email would tell a caller
 * the change was made.
 */
const ReadOnly = Schema.optional(Schema.Unknown)

const UserUpdateFields = Schema.Struct({
  ...UpdateUserRequest.fields,
  email: ReadOnly,
  id: ReadOnly,
  verified: ReadOnly,
  invited: ReadOnly,
  active: ReadOnly,
  created_at: ReadOnly,
  logged_in_at: ReadOnly,
  user_type: ReadOnly
}).annotations({ parseOptions: { onExcessProperty: "error" } })

const readOnlyFields = ["email", "id", "verified", "invited", "active", "created_at", "logged_in_at", "user_type"] as const

/** Why a field cannot be sent, in the words of the 400 that refuses it. */
const refusal = (field: (typeof readOnlyFields)[number]) =>
  field === "email"
    ? "Invalid field 'email': a user's email cannot be changed; invite the new address (POST /v1/users) and delete this user"
    : `Invalid field '${field}': is read-only`

/** Decodes with `decode` (the request's body reader), then refuses the read-only fields sent. */
export const userUpdateBody = (
  decode: <A, I>(schema: Schema.Schema<A, I>) => Effect.Effect<A, ApiError>
): Effect.Effect<UpdateUserRequest, ApiError> =>
  Effect.flatMap(decode(UserUpdateFields), (body) => {
    const sent = readOnlyFields.filter((field) => field in body)
    return sent.length === 0
      ? Effect.succeed(body)
      : Effect.fail(invalidInput(sent.map(refusal).join("; ")))
  })
