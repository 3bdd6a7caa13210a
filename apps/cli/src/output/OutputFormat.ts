import { Schema } from "effect"

/**
 * The forms a review command prints its rows in (Rows.ts writes them). A module of its own so that
 * the commands' flags can name them without loading the row writer and connector-core at start-up.
 */
export const OutputFormats = ["table", "json", "csv"] as const
export type OutputFormat = typeof OutputFormats[number]
export const OutputFormat = Schema.Literal(...OutputFormats)
