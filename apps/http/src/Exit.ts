import { stripVTControlCharacters } from "node:util"
import { HelpDoc } from "@effect/cli"
import * as ValidationError from "@effect/cli/ValidationError"
import { Cause, Console, Effect, Exit, Option } from "effect"
import { SettingError } from "@baton-fivetran/settings"
import { StartupError } from "./Cli.js"

/**
 * How the process ends: 0 after a clean stop (SIGTERM/SIGINT interrupt the service, which cancels
 * a running sync without leaving a partial file), 2 when it refused to start (a missing or bad
 * flag or variable, a port in use, a bad host or data directory), 1 for anything else. Every
 * refusal prints one line, `error: ...`.
 */
export const exitCode = (exit: Exit.Exit<unknown, unknown>): number => {
  if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) return 0
  return Option.match(Cause.failureOption(exit.cause), {
    onNone: () => 1,
    onSome: (error) =>
      error instanceof StartupError || error instanceof SettingError || ValidationError.isValidationError(error)
        ? 2
        : 1
  })
}

/** A ValidationError's help text as one plain line. */
const validationText = (error: ValidationError.ValidationError) =>
  stripVTControlCharacters(HelpDoc.toAnsiText(error.error)).replace(/\s*\n\s*/g, " ").trim()

export const reportFailure = (cause: Cause.Cause<unknown>) => {
  if (Cause.isInterruptedOnly(cause)) return Effect.void
  const error = Option.getOrElse(Cause.failureOption(cause), () => Cause.squash(cause))
  const message = ValidationError.isValidationError(error)
    ? validationText(error)
    : error instanceof Error
    ? error.message
    : String(error)
  return Console.error(`error: ${message}`)
}

/** @effect/cli prints its parse errors itself, over several lines; `reportFailure` prints them as one. */
export const withoutCliErrorPrinting = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.console, (console) => Effect.withConsole(effect, { ...console, error: () => Effect.void }))
