import * as ValidationError from "@effect/cli/ValidationError"
import { ProvisioningError } from "@baton-fivetran/connector-core"
import { Cause, Effect, Exit, Option } from "effect"
import { writeLine } from "./output/Stderr.js"
import { UsageError } from "./UsageError.js"

/**
 * How a run ends: 0 success, 1 failure, 2 bad usage (unknown flag, bad value from a flag, an env
 * variable or the config file, a missing required setting, a malformed id), 130 interrupted
 * (SIGINT/SIGTERM: the sync was stopped and its temporary file removed).
 * Errors print as one line, `error: ...`, never a stack trace.
 */

const isUsage = (error: unknown) =>
  error instanceof UsageError ||
  ValidationError.isValidationError(error) ||
  (error instanceof ProvisioningError && error.kind === "InvalidId")

export const exitCode = (exit: Exit.Exit<unknown, unknown>): number => {
  if (Exit.isSuccess(exit)) return 0
  if (Cause.isInterruptedOnly(exit.cause)) return 130
  return Option.match(Cause.failureOption(exit.cause), {
    onNone: () => 1,
    onSome: (error) => isUsage(error) ? 2 : 1
  })
}

const messageOf = (error: unknown) => error instanceof Error ? error.message : String(error)

/** Prints what went wrong (an interruption is reported by the command it stopped); @effect/cli has already printed its own parse errors (through `usageConsole`). */
export const reportFailure = (cause: Cause.Cause<unknown>) =>
  Effect.sync(() => {
    if (Cause.isInterruptedOnly(cause)) return
    const error = Option.getOrElse(Cause.failureOption(cause), () => Cause.squash(cause))
    if (!ValidationError.isValidationError(error)) writeLine(`error: ${messageOf(error)}`)
  })

/** @effect/cli prints parse errors with Console.error; this makes them one `error: ...` line too. */
export const withUsageConsole = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.console, (console) =>
    Effect.withConsole(effect, {
      ...console,
      error: (...args: ReadonlyArray<unknown>) => console.error(`error: ${args.map(String).join(" ").trim()}`)
    }))
