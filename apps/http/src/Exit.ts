import * as ValidationError from "@effect/cli/ValidationError"
import { Cause, Console, Effect, Exit, Option } from "effect"
import { StartupError } from "./Cli.js"

/**
 * How the process ends: 0 after a clean stop (SIGTERM/SIGINT interrupt the service, which cancels
 * a running sync without leaving a partial file), 2 when it refused to start (a missing or bad
 * setting), 1 for anything else (e.g. the port is taken).
 */
export const exitCode = (exit: Exit.Exit<unknown, unknown>): number => {
  if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) return 0
  return Option.match(Cause.failureOption(exit.cause), {
    onNone: () => 1,
    onSome: (error) => error instanceof StartupError || ValidationError.isValidationError(error) ? 2 : 1
  })
}

/** One `error: ...` line; @effect/cli has already printed its own parse errors. */
export const reportFailure = (cause: Cause.Cause<unknown>) => {
  if (Cause.isInterruptedOnly(cause)) return Effect.void
  const error = Option.getOrElse(Cause.failureOption(cause), () => Cause.squash(cause))
  if (ValidationError.isValidationError(error)) return Effect.void
  return Console.error(`error: ${error instanceof Error ? error.message : String(error)}`)
}
