import type { InvalidId, InvalidInput } from "@baton-fivetran/connector-core"
import { errorLine, type SettingError } from "@baton-fivetran/settings"
import { ValidationError } from "@effect/cli"
import { Cause, Effect, Exit, FiberRef, Option, Predicate } from "effect"
import type { ChangesFound } from "./ChangesFound.js"
import { writeLine } from "./output/Stderr.js"
import type { UsageError } from "./UsageError.js"

/**
 * How a run ends: 0 success, 1 failure, 2 bad usage (unknown flag, bad value from a flag, an env
 * variable or the config file, a missing required setting, a malformed id), 130 interrupted
 * (SIGINT/SIGTERM: the sync was stopped and its temporary file removed), 3 `diff --fail-on-change`
 * found differences.
 * Errors print as one line, `error: ...`, never a stack trace (ErrorLine.ts of @baton-fivetran/settings).
 */

/**
 * The failures that do not exit 1, by tag. The tags are checked against the classes' types; the
 * classes themselves are not imported, so that start-up does not load connector-core.
 */
const exitCodeByTag: {
  readonly [Tag in UsageError["_tag"] | SettingError["_tag"] | InvalidId["_tag"] | InvalidInput["_tag"] | ChangesFound["_tag"]]: number
} = {
  UsageError: 2,
  // A setting with a bad value (from a flag, a variable or .baton.yaml), or a required one missing.
  SettingError: 2,
  // connector-core's refusal of a malformed entitlement or grant id: bad usage too.
  InvalidId: 2,
  // connector-core's refusal of a provisioning flag's value (an email that is not one, a padded id).
  InvalidInput: 2,
  ChangesFound: 3
}

const failureCode = (error: unknown): number => {
  if (ValidationError.isValidationError(error)) return 2
  if (!Predicate.hasProperty(error, "_tag") || typeof error._tag !== "string") return 1
  return Object.hasOwn(exitCodeByTag, error._tag) ? exitCodeByTag[error._tag as keyof typeof exitCodeByTag] : 1
}

export const exitCode = (exit: Exit.Exit<unknown, unknown>): number => {
  if (Exit.isSuccess(exit)) return 0
  if (Cause.isInterruptedOnly(exit.cause)) return 130
  return Option.match(Cause.failureOption(exit.cause), { onNone: () => 1, onSome: failureCode })
}

/** Prints what went wrong (an interruption is reported by the command it stopped). */
export const reportFailure = (cause: Cause.Cause<unknown>) => Effect.sync(() => Option.map(errorLine(cause), writeLine))

/**
 * Effect logs every fiber that ends in a failure ("Fiber terminated with an unhandled error", at
 * debug), so at `--log-level debug` a failed run repeated its error up to three times after
 * reportFailure had printed it. Set on the main fiber without a scope (it holds at that fiber's
 * exit), and inherited by every fiber it forks.
 */
export const withoutUnhandledErrorLogs = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.zipRight(FiberRef.set(FiberRef.unhandledErrorLogLevel, Option.none()), effect)
