import { Schema } from "effect"
import { takes, wholeNumber } from "./Parameters.js"

/** The page parameters and the page shape of every paged list. */

export const paging = {
  page_size: Schema.optional(wholeNumber(1, 1000)).annotations({ description: "1..1000, default 100" }),
  page_token: Schema.optional(Schema.String.annotations(takes("the next_page_token of the previous page"))).annotations({
    description: "`next_page_token` of the previous page"
  })
}

export const page = <A, I, R>(item: Schema.Schema<A, I, R>, identifier: string) =>
  Schema.Struct({
    /** The finished sync the page was read from. */
    sync_id: Schema.String,
    items: Schema.Array(item),
    /** Pass as `page_token` for the next page; null on the last page. */
    next_page_token: Schema.NullOr(Schema.String)
  }).annotations({ identifier })
