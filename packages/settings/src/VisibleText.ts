/**
 * Text as a terminal should show it rather than act on it, for what the processes print for a
 * person (the CLI's tables and its `error:` and summary lines, the `error:` line of errorLine):
 * much of it is not the program's own (a role name from Fivetran, a value from BATON_* or
 * .baton.yaml, a file's bytes quoted by a parse error).
 */

/**
 * Characters a terminal acts on instead of showing: every control character (C0 with tab, CR and
 * LF, DEL, C1), which can move the cursor or recolour or retitle the terminal, and the bidi
 * controls (LRM, RLM, ALM, the embeddings, overrides and isolates), which reorder what follows:
 * "Team \u202Edelbane\u202C" reads "Team enabled". A line break or a tab shown as a space would
 * pass a name such as "Bo\nAdmin" off as "Bo Admin", or a role name holding "\nerror: ..." off as
 * a second error line, so they are escaped too.
 */
const actedOn = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu

/** `text` with each such character as a `\u` escape. */
export const visibleText = (text: string): string => text.replace(actedOn, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
