/**
 * Text as a terminal should show it rather than act on it. Much of what the processes print for a
 * person is not the program's own: an upstream's error message, a role name from Fivetran, a value
 * from BATON_* or .baton.yaml, a file's bytes quoted by a parse error. Used by the client's errors,
 * the CLI's tables and its `error:`, `warning:` and summary lines, and settings' errorLine. A module
 * of its own (`@baton-fivetran/fivetran-client/shown-text`), so that a process can use it without
 * loading the client.
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

/** `text` with each such character as a `\u` escape (`\u001b` and the like). */
export const shownText = (text: string): string => text.replace(actedOn, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)
