/**
 * Text as a terminal should show it rather than act on it. Much of what the processes print for a
 * person is not the program's own: an upstream's error message, a role name from Fivetran, a value
 * from BATON_* or .baton.yaml, a file's bytes quoted by a parse error. Used by the client's errors,
 * the CLI's tables and its `error:`, `warning:` and summary lines, and settings' errorLine. A module
 * of its own (`@baton-fivetran/fivetran-client/shown-text`), so that a process can use it without
 * loading the client.
 */

/**
 * Characters a terminal acts on instead of showing, or shows as nothing: every control character
 * (C0 with tab, CR and LF, DEL, C1), which can move the cursor or recolour or retitle the terminal;
 * every format character (Unicode's Cf), the bidi controls among them (LRM, RLM, ALM, the
 * embeddings, overrides and isolates), which reorder what follows: "Team \u202Edelbane\u202C" reads
 * "Team enabled", and the invisible ones (zero-width space and joiners, word joiner, BOM, soft
 * hyphen, tags), which make "Admin\u200B" a second name that reads as "Admin"; and the line and
 * paragraph separators. A line break or a tab shown as a space would pass a name such as
 * "Bo\nAdmin" off as "Bo Admin", or a role name holding "\nerror: ..." off as a second error line,
 * so they are escaped too.
 */
const actedOn = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu

/**
 * A zero-width joiner inside an emoji sequence (a pictograph, an optional emoji presentation
 * selector or skin tone, the joiner, a pictograph: the technologist of U+1F469 U+200D U+1F4BB)
 * draws one emoji: it is shown, not escaped.
 */
const joinsEmoji = (text: string, offset: number): boolean =>
  text[offset] === "\u200D" &&
  /\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?$/u.test(text.slice(Math.max(0, offset - 4), offset)) &&
  /^\p{Extended_Pictographic}/u.test(text.slice(offset + 1, offset + 3))

/** `\u001b`, `\u200b`; `\U000e0041` beyond U+FFFF: C's and bash's `$'...'` spellings, which ResourceRef's shellWord relies on. */
const escaped = (char: string): string => {
  const code = char.codePointAt(0)!.toString(16)
  return code.length <= 4 ? `\\u${code.padStart(4, "0")}` : `\\U${code.padStart(8, "0")}`
}

/** `text` with each such character as a `\u` (or `\U`) escape. */
export const shownText = (text: string): string =>
  text.replace(actedOn, (char, offset: number) => joinsEmoji(text, offset) ? char : escaped(char))
