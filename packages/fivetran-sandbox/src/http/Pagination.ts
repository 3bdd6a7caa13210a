import { Effect, Either, Schema } from "effect"
import { type ApiError, invalidInput } from "./ApiError.js"

/**
 * Cursor pagination (docs/fivetran-api.md §1.6): `limit` 1..1000 (default 100) and an opaque cursor,
 * here the unpadded base64url of `{"skip":n}` as in the docs' examples.
 */
export interface PageRequest {
  readonly skip: number
  readonly limit: number
}

export const DEFAULT_LIMIT = 100
export const MAX_LIMIT = 1000

/**
 * `limit` is an int32 query parameter (the API reference's `format: int32`): digits with an optional
 * sign, as an integer parser reads them. Number() would also take `1e2`, `0x10`, `5.0` and ` 5`,
 * which such a parser refuses: a client sending them passed here and failed on Fivetran.
 */
const Limit = Schema.String.pipe(
  Schema.pattern(/^[+-]?\d+$/),
  Schema.compose(Schema.NumberFromString),
  Schema.int(),
  Schema.between(1, MAX_LIMIT)
)
const CursorJson = Schema.parseJson(Schema.Struct({ skip: Schema.NonNegativeInt }))
const decodeLimit = Schema.decodeUnknownEither(Limit)
const decodeCursorJson = Schema.decodeUnknownEither(CursorJson)
const BASE64URL = /^[A-Za-z0-9_-]+$/

export const encodeCursor = (skip: number): string => Buffer.from(JSON.stringify({ skip })).toString("base64url")

export const pageRequest = (query: URLSearchParams): Effect.Effect<PageRequest, ApiError> => {
  const rawLimit = query.get("limit")
  const rawCursor = query.get("cursor")
  const limit = rawLimit === null ? Either.right(DEFAULT_LIMIT) : decodeLimit(rawLimit)
  if (Either.isLeft(limit)) {
    return Effect.fail(invalidInput(`Invalid parameter 'limit': '${rawLimit}' must be an integer from 1 to ${MAX_LIMIT}`))
  }
  if (rawCursor === null || rawCursor === "") return Effect.succeed({ skip: 0, limit: limit.right })
  const cursor = BASE64URL.test(rawCursor)
    ? Either.getOrUndefined(decodeCursorJson(Buffer.from(rawCursor, "base64url").toString("utf8")))
    : undefined
  if (cursor === undefined) {
    return Effect.fail(invalidInput(`Invalid parameter 'cursor': '${rawCursor}' is not a cursor this API issued`))
  }
  return Effect.succeed({ skip: cursor.skip, limit: limit.right })
}

/** Something a page can be cut from without copying the whole list. */
export interface Sliceable<A> {
  readonly size: number
  readonly slice: (start: number, end: number) => ReadonlyArray<A>
}

export const sliceable = <A>(items: ReadonlyArray<A>): Sliceable<A> => ({
  size: items.length,
  slice: (start, end) => items.slice(start, end)
})

/**
 * `next_cursor` is left out of the last page, as Fivetran's Pagination page shows it ("If the
 * next_cursor field is missing, there are no more items left to fetch"; docs/fivetran-api.md §1.6):
 * sent as `null`, it let a client that stops on `null` alone pass here and page on against Fivetran.
 */
export interface PageOf<A> {
  readonly items: ReadonlyArray<A>
  readonly next_cursor?: string
}

/** The cursor after the page `request` asks of a list of `size` items; `null` once nothing follows. */
const nextCursor = (size: number, request: PageRequest): string | null => {
  const end = request.skip + request.limit
  return end < size ? encodeCursor(end) : null
}

/** The page at `skip`, with its `next_cursor` unless it is the last. */
export const pageOf = <A>(list: Sliceable<A>, request: PageRequest): PageOf<A> => {
  const items = list.slice(request.skip, request.skip + request.limit)
  const next = nextCursor(list.size, request)
  return next === null ? { items } : { items, next_cursor: next }
}

/** What follows a page's items in its JSON: `,"next_cursor":"…"` unless it is the last page. */
export const nextCursorJson = (size: number, request: PageRequest): string => {
  const next = nextCursor(size, request)
  return next === null ? "" : `,"next_cursor":${JSON.stringify(next)}`
}
