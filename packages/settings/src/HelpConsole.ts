import { Effect } from "effect"
import { stripVTControlCharacters } from "node:util"

/**
 * What the apps print through Console, help above all, made plain where it should be:
 * - no ANSI colours when stdout is not a terminal or `NO_COLOR` is set (https://no-color.org);
 * - @effect/cli 0.77 writes a fixed line per option type and "This setting is optional." under
 *   every optional flag, with no way to replace them. A text flag's line ("A user-defined piece of
 *   text.") and a switch's ("A true or false value.", before the description that says what the
 *   switch turns on) say nothing, and "optional" is untrue of a setting that a command requires;
 *   each setting's own help (Setting.ts's helpText) says what it takes and whether it is required,
 *   so these lines are dropped.
 */

const genericLine =
  /^[ \t]*(A user-defined piece of text( that is confidential)?\.|A true or false value\.|This setting is optional\.)[ \t]*\n/gm

const genericTexts = ["This setting is optional.", "A user-defined piece of text", "A true or false value."]

export const colourAllowed = (): boolean => process.stdout.isTTY === true && (process.env["NO_COLOR"] ?? "") === ""

/** `text` as it should reach stdout. */
export const plainText = (text: string, colour: boolean): string => {
  const uncoloured = colour ? text : stripVTControlCharacters(text)
  return genericTexts.some((generic) => uncoloured.includes(generic))
    ? uncoloured.replace(genericLine, "").replace(/\n{3,}/g, "\n\n")
    : uncoloured
}

/** Runs `effect` with a Console whose `log` prints plain text (see above). */
export const withPlainHelp = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.console, (console) => {
    const colour = colourAllowed()
    return Effect.withConsole(effect, {
      ...console,
      log: (...args) => console.log(...args.map((arg) => typeof arg === "string" ? plainText(arg, colour) : arg))
    })
  })

/**
 * @effect/cli prints `--help` and `--version` as a document whose text ends with a line break,
 * through Console.log, which adds its own: each ended with a blank line (`--version` printed
 * "0.1.0 (commit …)\n\n"), or two where withPlainHelp took out a last generic line. Here the text's
 * own final breaks are dropped, so that they end with one, as cobra's do; what the apps print
 * through Console.log has none to drop.
 */
export const withOneFinalLineBreak = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.console, (console) =>
    Effect.withConsole(effect, {
      ...console,
      log: (...args) => console.log(...args.map((arg) => typeof arg === "string" ? arg.replace(/\n+$/, "") : arg))
    }))
