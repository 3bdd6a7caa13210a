import { DataEnvelope, MessageEnvelope, PageEnvelope } from "@baton-fivetran/fivetran-client"
import { HttpServerResponse } from "@effect/platform"
import { Effect, Schema } from "effect"
import type { ApiError } from "./ApiError.js"
import { type PageOf } from "./Pagination.js"

/**
 * Response bodies, encoded through the client's wire schemas (one definition of each shape) and
 * serialised with a fixed key order, so the same state always gives the same bytes.
 */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  HttpServerResponse.text(JSON.stringify(body), { status, contentType: "application/json", headers })

/** Envelope schemas built once per item schema, so their encoders are compiled once. */
const envelopes = new WeakMap<Schema.Schema.Any, { readonly data: Schema.Schema.Any; readonly page: Schema.Schema.Any }>()

const envelopeOf = <A, I>(schema: Schema.Schema<A, I>) => {
  let found = envelopes.get(schema)
  if (found === undefined) {
    found = { data: DataEnvelope(schema), page: PageEnvelope(schema) }
    envelopes.set(schema, found)
  }
  return found
}

const encodeOrDie = <A, I>(schema: Schema.Schema<A, I>, value: A) => Effect.orDie(Schema.encode(schema)(value))

/** `{code: "Success", message?, data}` */
export const dataReply = <A, I>(
  schema: Schema.Schema<A, I>,
  data: A,
  options: { readonly status?: number; readonly message?: string } = {}
) => {
  const envelope = { code: "Success", ...(options.message === undefined ? {} : { message: options.message }), data }
  return Effect.map(
    encodeOrDie(envelopeOf(schema).data as Schema.Schema<typeof envelope>, envelope),
    (body) => json(options.status ?? 200, body)
  )
}

/** `{code: "Success", message?, data: {items, next_cursor}}` */
export const pageReply = <A, I>(item: Schema.Schema<A, I>, page: PageOf<A>, options: { readonly message?: string } = {}) => {
  const envelope = { code: "Success", ...(options.message === undefined ? {} : { message: options.message }), data: page }
  return Effect.map(encodeOrDie(envelopeOf(item).page as Schema.Schema<typeof envelope>, envelope), (body) => json(200, body))
}

/** A 200 whose JSON body is bytes already (a user list page, see UserJson). */
export const jsonBytesReply = (body: Uint8Array) => HttpServerResponse.uint8Array(body, { status: 200, contentType: "application/json" })

/** `{code: "Success", message}` with no data. */
export const messageReply = (message: string) =>
  Effect.map(encodeOrDie(MessageEnvelope, { code: "Success", message }), (body) => json(200, body))

/**
 * The challenge of every 401: RFC 9110 §11.6.1 requires one, and HTTP Basic is the API's only
 * scheme (docs/fivetran-api.md §1.1). Whether Fivetran sends it, and its realm, is not documented.
 */
export const BasicChallenge = `Basic realm="Fivetran API", charset="UTF-8"`

/** `{code, message}` with the error's status, and `WWW-Authenticate` (401), `Allow` (405) or `Retry-After` (429). */
export const errorReply = (error: ApiError) =>
  json(error.status, { code: error.code, message: error.message }, {
    ...(error.status === 401 ? { "www-authenticate": BasicChallenge } : {}),
    ...(error.allow === undefined ? {} : { allow: error.allow.join(", ") }),
    ...(error.retryAfterSeconds === undefined ? {} : { "retry-after": String(error.retryAfterSeconds) })
  })
