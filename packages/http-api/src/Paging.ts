import { Schema } from "effect"

/** The page parameters and the page shape of every paged list. */

const PageSize = Schema.NumberFromString.pipe(
  Schema.int(),
  Schema.between(1, 1000, { message: () => "page_size must be an integer from 1 to 1000" })
)

export const paging = {
  page_size: Schema.optional(PageSize).annotations({ description: "1..1000, default 100" }),
  page_token: Schema.optional(Schema.String).annotations({ description: "`next_page_token` of the previous page" })
}

export const page = <A, I, R>(item: Schema.Schema<A, I, R>, identifier: string) =>
  Schema.Struct({
    /** The finished sync the page was read from. */
    sync_id: Schema.String,
    items: Schema.Array(item),
    /** Pass as `page_token` for the next page; null on the last page. */
    next_page_token: Schema.NullOr(Schema.String)
  }).annotations({ identifier })
