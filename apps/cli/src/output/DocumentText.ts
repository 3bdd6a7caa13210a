import { Effect } from "effect"

/**
 * @effect/cli prints `--help` and `--version` as a document whose text ends with a line break,
 * through Console.log, which adds its own: each ended with a blank line (`--version` printed
 * "0.1.0 (commit …)\n\n"), or two where withPlainHelp took out a last generic line. Here the text's
 * own final breaks are dropped, so that they end with one, as cobra's do; what the commands print
 * through Console.log has none to drop.
 */
export const withOneFinalLineBreak = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.console, (console) =>
    Effect.withConsole(effect, {
      ...console,
      log: (...args) => console.log(...args.map((arg) => typeof arg === "string" ? arg.replace(/\n+$/, "") : arg))
    }))
