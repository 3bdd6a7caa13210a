import * as ValidationError from "@effect/cli/ValidationError"
import { Cause, Console, Effect, Exit, Option } from "effect"
import { errorLine, SettingError } from "@baton-fivetran/settings"
import { StartupError } from "./Cli.js"
import { DataDirInUse, DataDirLockFailed } from "./DataDirLock.js"
import { PageTokenKeyError } from "./PageTokens.js"

/**
 * How the process ends: 0 after a clean stop (SIGTERM/SIGINT interrupt the service, which cancels
 * a running sync without leaving a partial file), 2 when it refused to start (a missing or bad
 * flag or variable, a port in use, a bad host or data directory, a data directory another live
 * process holds, a page-token key it cannot use), 1 for anything else. Every refusal prints one line, `error: ...`.
 * A third stop signal during the stop ends the process at once, exit 130 (StopSignals.ts).
 */
export const exitCode = (exit: Exit.Exit<unknown, unknown>): number => {
  if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) return 0
  return Option.match(Cause.failureOption(exit.cause), {
    onNone: () => 1,
    onSome: (error) =>
      error instanceof StartupError || error instanceof PageTokenKeyError || error instanceof SettingError ||
        error instanceof DataDirInUse || error instanceof DataDirLockFailed || ValidationError.isValidationError(error)
        ? 2
        : 1
  })
}

export const reportFailure = (cause: Cause.Cause<unknown>) =>
  Option.match(errorLine(cause), { onNone: () => Effect.void, onSome: Console.error })
