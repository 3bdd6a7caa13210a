import stringWidth from "string-width"

/**
 * A cell as a table shows it on a terminal, and how many terminal columns it takes. JSON and CSV
 * keep the exact text.
 */

/**
 * Characters a terminal acts on instead of showing: every control character (C0 with tab, CR and
 * LF, DEL, C1), which can move the cursor or recolour or retitle the terminal, and the bidi
 * controls (LRM, RLM, ALM, the embeddings, overrides and isolates), which reorder what follows:
 * "Team \u202Edelbane\u202C" reads "Team enabled". A line break or a tab shown as a space would
 * pass a name such as "Bo\nAdmin" off as "Bo Admin", so they are escaped too.
 */
const actedOn = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu

/** The cell's text with each such character as a `\u` escape. */
export const shown = (cell: string): string => cell.replace(actedOn, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/**
 * Terminal columns (string-width: East Asian wide and fullwidth characters and emoji take 2,
 * combining marks 0), so that later columns line up after CJK or emoji names.
 */
export const width = (text: string): number => stringWidth(text)

/** `text` followed by spaces up to `columns` terminal columns. */
export const padded = (text: string, columns: number): string => text + " ".repeat(Math.max(0, columns - width(text)))
