/**
 * The response headers the service sends, in the OpenAPI document (the platform generates it with
 * none): X-Request-Id on every answer and WWW-Authenticate on every 401, added to the whole
 * document by `withResponseHeaders` (the Api's transform), and the file and export endpoints' own
 * and the provisioning and export endpoints' 429 Retry-After by `responseHeaders` (theirs). Each is defined once under `components.headers` and referred to.
 */

type Json = Record<string, unknown>

const text = { type: "string" }

const definitions = {
  "X-Request-Id": {
    description: "The request's id, also on each log line written while it was handled: the caller's X-Request-Id " +
      "when it is a plain token (letters, digits, `._:-`, up to 128 characters), otherwise a new UUID",
    required: true,
    schema: text
  },
  "WWW-Authenticate": {
    description: "The scheme to authenticate with: `Bearer realm=\"baton-fivetran\"`",
    required: true,
    schema: text
  },
  ETag: {
    description: "The file's validator: sent back in If-None-Match, the answer is 304 without a body while the file is the same",
    required: true,
    schema: text
  },
  "Last-Modified": {
    description: "When the file was written: sent back in If-Modified-Since (without If-None-Match), the answer is 304 " +
      "without a body while the file is no newer",
    required: true,
    schema: text
  },
  "Content-Disposition": { description: "`attachment`, with the name to save the file as", required: true, schema: text },
  "Retry-After": {
    description: "Seconds until the request may be sent again, as it is: on a 429 `RateLimited` (as " +
      "`retry_after_seconds`; absent when Fivetran's own 429 did not say), on a 429 `TooManyExports` (as " +
      "`retry_after_seconds`), and 1 on a 503 `ServiceStopping` (absent on the other 503s)",
    schema: { type: "integer", minimum: 1 }
  }
} as const

export type ResponseHeader = keyof typeof definitions

const objectAt = (value: unknown): Json => typeof value === "object" && value !== null ? value as Json : {}

const withHeaders = (response: unknown, names: ReadonlyArray<ResponseHeader>): Json => {
  const current = objectAt(response)
  const refs = names.map((name) => [name, { $ref: `#/components/headers/${name}` }] as const)
  return { ...current, headers: { ...objectAt(current.headers), ...Object.fromEntries(refs) } }
}

/** An endpoint's transform: the headers its answers of each status carry. */
export const responseHeaders = (byStatus: Readonly<Record<number, ReadonlyArray<ResponseHeader>>>) => (operation: Json): Json => {
  const responses = objectAt(operation.responses)
  const declared = Object.entries(byStatus).map(([status, names]) => [status, withHeaders(responses[status], names)] as const)
  return { ...operation, responses: { ...responses, ...Object.fromEntries(declared) } }
}

/** An endpoint's transform: an answer without a body, which the platform documents only for a schema. */
export const withBodilessResponse = (status: number, description: string) => (operation: Json): Json => ({
  ...operation,
  responses: { ...objectAt(operation.responses), [status]: { description } }
})

/** What every answer of a status carries, whichever endpoint gave it. */
const everywhere = (status: string): ReadonlyArray<ResponseHeader> =>
  status === "401" ? ["WWW-Authenticate", "X-Request-Id"] : status === "503" ? ["Retry-After", "X-Request-Id"] : ["X-Request-Id"]

/** The Api's transform: the headers every answer carries, and the definitions of all. */
export const withResponseHeaders = (spec: Json): Json => {
  const operation = (value: unknown) => {
    const current = objectAt(value)
    const statuses = Object.keys(objectAt(current.responses))
    return responseHeaders(Object.fromEntries(statuses.map((status) => [status, everywhere(status)])))(current)
  }
  const paths = Object.entries(objectAt(spec.paths)).map(([path, operations]) =>
    [path, Object.fromEntries(Object.entries(objectAt(operations)).map(([method, value]) => [method, operation(value)]))] as const
  )
  return { ...spec, paths: Object.fromEntries(paths), components: { ...objectAt(spec.components), headers: definitions } }
}
