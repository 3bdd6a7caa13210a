import { HelpDoc, ValidationError } from "@effect/cli"
import { Cause, Effect, Exit, Option, Predicate } from "effect"
import { ChangesFound } from "./ChangesFound.js"
import { writeLine } from "./output/Stderr.js"
import { UsageError } from "./UsageError.js"

/**
 * How a run ends: 0 success, 1 failure, 2 bad usage (unknown flag, bad value from a flag, an env
 * variable or the config file, a missing required setting, a malformed id), 130 interrupted
 * (SIGINT/SIGTERM: the sync was stopped and its temporary file removed), 3 `diff --fail-on-change`
 * found differences.
 * Errors print as one line, `error: ...`, never a stack trace.
 */

const isUsage = (error: unknown) =>
  error instanceof UsageError ||
  ValidationError.isValidationError(error) ||
  // connector-core's ProvisioningError, matched by shape so that start-up does not load connector-core.
  (Predicate.isTagged(error, "ProvisioningError") && Predicate.hasProperty(error, "kind") && error.kind === "InvalidId")

export const exitCode = (exit: Exit.Exit<unknown, unknown>): number => {
  if (Exit.isSuccess(exit)) return 0
  if (Cause.isInterruptedOnly(exit.cause)) return 130
  return Option.match(Cause.failureOption(exit.cause), {
    onNone: () => 1,
    onSome: (error) => error instanceof ChangesFound ? 3 : isUsage(error) ? 2 : 1
  })
}

/** A ValidationError's help text as one plain line. */
const validationText = (error: ValidationError.ValidationError) =>
  HelpDoc.toAnsiText(error.error).replace(/\x1b\[[0-9;]*m/g, "").replace(/\s*\n\s*/g, " ").trim()

const messageOf = (error: unknown) =>
  ValidationError.isValidationError(error)
    ? validationText(error)
    : error instanceof Error
    ? error.message
    : String(error)

/** Prints what went wrong (an interruption is reported by the command it stopped). */
export const reportFailure = (cause: Cause.Cause<unknown>) =>
  Effect.sync(() => {
    if (Cause.isInterruptedOnly(cause)) return
    writeLine(`error: ${messageOf(Option.getOrElse(Cause.failureOption(cause), () => Cause.squash(cause)))}`)
  })

/**
 * @effect/cli prints its parse errors with Console.error before failing with them; the CLI
 * itself never uses Console.error, and `reportFailure` prints those errors as one line instead.
 */
export const withoutCliErrorPrinting = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.console, (console) =>
    Effect.withConsole(effect, { ...console, error: () => Effect.void }))
