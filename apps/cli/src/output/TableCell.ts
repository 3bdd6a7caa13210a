import stringWidth from "string-width"

/**
 * How many terminal columns a table cell takes (its text is shown with @baton-fivetran/fivetran-client's
 * shownText on a terminal; JSON and CSV keep the exact text).
 */

/**
 * Terminal columns (string-width: East Asian wide and fullwidth characters and emoji take 2,
 * combining marks 0), so that later columns line up after CJK or emoji names.
 */
export const width = (text: string): number => stringWidth(text)

/** `text` followed by spaces up to `columns` terminal columns. */
export const padded = (text: string, columns: number): string => text + " ".repeat(Math.max(0, columns - width(text)))
