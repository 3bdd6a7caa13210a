import { Data } from "effect"

/**
 * A Fivetran-style error answer: the HTTP status and the `{code, message}` body
 * (docs/fivetran-api.md §1.3–1.5). Every refusal of the sandbox is one of these.
 */
export class ApiError extends Data.TaggedError("ApiError")<{
  readonly status: number
  readonly code: string
  readonly message: string
  /** Sent as `Retry-After` (429 only). */
  readonly retryAfterSeconds?: number
  /** Sent as `Allow` (405 only): the methods the path is served with. */
  readonly allow?: ReadonlyArray<string>
}> {}

export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new ApiError({ status: 429, code: "TooManyRequests", message, retryAfterSeconds })

export const invalidInput = (message: string) => new ApiError({ status: 400, code: "InvalidInput", message })

export const conflict = (message: string) => new ApiError({ status: 409, code: "Conflict", message })

export const forbidden = (message: string) => new ApiError({ status: 403, code: "Forbidden", message })

export const userNotFound = (userId: string) =>
  new ApiError({ status: 404, code: "NotFound", message: `User with id '${userId}' doesn't exist` })

export const groupNotFound = (groupId: string) =>
  new ApiError({ status: 404, code: "NotFound_Group", message: `Group with id '${groupId}' doesn't exist` })

export const teamNotFound = (teamId: string) =>
  new ApiError({ status: 404, code: "NotFound_Team", message: `Team with id '${teamId}' doesn't exist` })

export const connectionNotFound = (connectionId: string) =>
  new ApiError({
    status: 404,
    code: "NotFound_Connection",
    message: `Connection with id '${connectionId}' doesn't exist`
  })

/** A membership that is not there: code `NotFound`, as for a non-member of a group (TF #480). */
export const membershipNotFound = (member: string, container: string) =>
  new ApiError({ status: 404, code: "NotFound", message: `'${member}' has no membership in '${container}'` })

export const userNotFoundByEmail = (email: string) =>
  new ApiError({ status: 404, code: "NotFound", message: `User with email '${email}' doesn't exist` })
