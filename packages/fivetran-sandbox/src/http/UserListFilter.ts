import { UserType } from "@baton-fivetran/fivetran-client"
import { Effect, Schema } from "effect"
import { type ApiError, invalidInput } from "./ApiError.js"

/**
 * The filters of `GET /v1/users` in the newer docs (docs/fivetran-api.md §2.1): `active` and
 * `has_api_key` take `true` or `false`, `user_type` one of the user types. A filter left out
 * keeps every user.
 */
export interface UserListFilter {
  readonly active: boolean | undefined
  readonly user_type: UserType | undefined
  readonly has_api_key: boolean | undefined
}

/** One query parameter through its schema; a value it refuses is a 400 naming the parameter, as for `limit`. */
const parameter = <A, I>(query: URLSearchParams, name: string, schema: Schema.Schema<A, I>, expected: string) => {
  const raw = query.get(name)
  return raw === null
    ? Effect.succeed(undefined)
    : Effect.mapError(
      Schema.decodeUnknown(schema)(raw),
      (): ApiError => invalidInput(`Invalid parameter '${name}': '${raw}' must be ${expected}`)
    )
}

export const userListFilter = (query: URLSearchParams): Effect.Effect<UserListFilter, ApiError> =>
  Effect.all({
    active: parameter(query, "active", Schema.BooleanFromString, "true or false"),
    user_type: parameter(query, "user_type", UserType, "REGULAR_USER or SERVICE_ACCOUNT"),
    has_api_key: parameter(query, "has_api_key", Schema.BooleanFromString, "true or false")
  })
