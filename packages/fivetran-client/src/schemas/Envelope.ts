import { Schema } from "effect"

/** Every Fivetran body carries `code`; `message` is optional (often absent on GETs). */
export const ErrorBody = Schema.Struct({
  code: Schema.String,
  message: Schema.optional(Schema.String)
})
export type ErrorBody = typeof ErrorBody.Type

/** `{code, message?, data}`: the envelope of single-object responses. */
export const DataEnvelope = <A, I, R>(data: Schema.Schema<A, I, R>) =>
  Schema.Struct({
    code: Schema.String,
    message: Schema.optional(Schema.String),
    data
  })

/** `{code, message?}` with no data: DELETEs and `POST /v1/groups/{id}/users`. */
export const MessageEnvelope = ErrorBody
export type MessageEnvelope = ErrorBody

/** One page of a list: `next_cursor` is a string, `null` on the last page, or absent. */
export const Page = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.Struct({
    items: Schema.Array(item),
    next_cursor: Schema.optional(Schema.NullOr(Schema.String))
  })

export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly next_cursor?: string | null | undefined
}

export const PageEnvelope = <A, I, R>(item: Schema.Schema<A, I, R>) => DataEnvelope(Page(item))
