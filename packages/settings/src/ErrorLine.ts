import { HelpDoc, ValidationError } from "@effect/cli"
import { Cause, Effect, Option } from "effect"
import { stripVTControlCharacters } from "node:util"
import { shownText } from "@baton-fivetran/fivetran-client/shown-text"

/**
 * How the command-line processes (both apps and the sandbox's) report a failure: one line,
 * `error: ...`, never a stack trace or a multi-line help block.
 */

/** A ValidationError's help text as one plain line. */
const validationText = (error: ValidationError.ValidationError) =>
  stripVTControlCharacters(HelpDoc.toAnsiText(error.error)).replace(/\s*\n\s*/g, " ").trim()

export const errorMessage = (error: unknown): string =>
  ValidationError.isValidationError(error)
    ? validationText(error)
    : error instanceof Error
    ? error.message
    : String(error)

/**
 * The `error: ...` line of a failure, its control characters escaped (the message may quote a
 * setting's value or a file's bytes); none for an interruption (the command it stopped reports it).
 */
export const errorLine = (cause: Cause.Cause<unknown>): Option.Option<string> =>
  Cause.isInterruptedOnly(cause)
    ? Option.none()
    : Option.some(`error: ${shownText(errorMessage(Option.getOrElse(Cause.failureOption(cause), () => Cause.squash(cause))))}`)

/**
 * @effect/cli prints its parse errors with Console.error, over several lines, before failing with
 * them; the processes never use Console.error themselves and print those errors as one line.
 */
export const withoutCliErrorPrinting = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.console, (console) => Effect.withConsole(effect, { ...console, error: () => Effect.void }))
