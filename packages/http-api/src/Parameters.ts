import { quotedEchoed } from "@baton-fivetran/fivetran-client"
import { type ParseResult, Schema } from "effect"

/**
 * What a path or query parameter takes, said in plain words when a request gets it wrong. Without
 * this, a decode message names the schema's description or identifier as if it were a type
 * ("expected ResourceType"). A query parameter given more than once arrives as an array.
 */

/** A value as messages quote it: cut as every echoed id is (`quotedEchoed`), so a hostile value does not fill the answer or the log. */
export const quoted = (value: unknown) => quotedEchoed(String(value))

/**
 * A field's name as a message names it: bare when it is a plain name (`dry_run`, `principal.id`),
 * else quoted as a value is, its invisible format characters (a right-to-left override, a zero-width
 * space) written as escapes: `?=x` read " is not a field of this request", and a name holding U+202E
 * turned the rest of the sentence around.
 */
export const fieldName = (name: string) =>
  /^[A-Za-z0-9_.-]+$/.test(name)
    ? name
    : quotedEchoed(name).replace(/\p{Cf}/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`)

/** The decode message of a parameter taking `what`: `expected <what>, got "<value>"`, or `give <what>, once`. */
export const takes = (what: string) => ({
  message: (issue: ParseResult.ParseIssue) => ({
    message: Array.isArray(issue.actual) ? `give ${what}, once` : `expected ${what}, got ${quoted(issue.actual)}`,
    override: true
  })
})

/**
 * A whole number from `min` to `max` written in plain decimal digits: not `0x10`, `1e2`, ` 1` or
 * `+5`, which `Number` would read. Documented as an integer with its range (a query parameter is
 * text on the wire either way).
 */
export const wholeNumber = (min: number, max: number) =>
  Schema.transform(
    Schema.String.pipe(
      Schema.pattern(/^[0-9]{1,9}$/),
      Schema.filter((digits) => Number(digits) >= min && Number(digits) <= max)
    ),
    Schema.Int,
    { strict: true, decode: Number, encode: String }
  ).annotations({
    ...takes(`a whole number from ${min} to ${max}`),
    jsonSchema: { type: "integer", minimum: min, maximum: max }
  })

/**
 * The query parameters of an endpoint that filters: a parameter it does not take is refused (400
 * naming it and the ones it takes). Ignored, a misspelt filter (`principle=user:u1`) was answered
 * with the unfiltered listing, or the whole account's review sheet, as if it were the filtered one.
 */
export const queryParameters = <Fields extends Schema.Struct.Fields>(fields: Fields) =>
  Schema.Struct(fields).annotations({ parseOptions: { onExcessProperty: "error" } })
