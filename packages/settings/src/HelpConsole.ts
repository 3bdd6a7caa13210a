import { Effect } from "effect"
import { stripVTControlCharacters } from "node:util"

/**
 * What the apps print through Console, help above all, made plain where it should be:
 * - no ANSI colours when stdout is not a terminal or `NO_COLOR` is set (https://no-color.org);
 * - @effect/cli 0.77 writes a fixed line per option type and "This setting is optional." under
 *   every optional flag, with no way to replace them. A text flag's line ("A user-defined piece of
 *   text.") says nothing, and "optional" is untrue of a setting that a command requires; each
 *   setting's own help (Setting.ts's helpText) says what it takes and whether it is required, so
 *   these two lines are dropped.
 */

const genericLine = /^[ \t]*(A user-defined piece of text( that is confidential)?\.|This setting is optional\.)[ \t]*\n/gm

export const colourAllowed = (): boolean => process.stdout.isTTY === true && (process.env["NO_COLOR"] ?? "") === ""

/** `text` as it should reach stdout. */
export const plainText = (text: string, colour: boolean): string => {
  const uncoloured = colour ? text : stripVTControlCharacters(text)
  return uncoloured.includes("This setting is optional.") || uncoloured.includes("A user-defined piece of text")
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
