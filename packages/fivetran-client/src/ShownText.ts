/**
 * Text from outside as an error quotes it. Error messages end up on a terminal (the CLI's
 * `error: ...` line, console logs), where an upstream's message holding control characters could
 * move the cursor, clear or retitle the terminal, or forge a line after a line break; the bidi
 * controls reorder what follows ("\u202Edelbane" reads "enabled"). Each is shown as a `\u` escape,
 * as the CLI's tables show names.
 */
const actedOn = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu

/** `text` with every control and bidi control character as `\u001b` and the like. */
export const shownText = (text: string): string => text.replace(actedOn, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)
