#!/usr/bin/env node
import { errorLine, withoutCliErrorPrinting } from "@baton-fivetran/settings"
import { ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect, Exit, Option } from "effect"
import { isSnapshotInputError } from "./generator/SnapshotFile.js"
import { runSandboxCommand } from "./SandboxCommand.js"
import { UsageError } from "./UsageError.js"

/**
 * Exit codes: 0 after Ctrl-C, 2 for bad usage (an unknown flag, a bad value, a conflicting pair, a
 * --state file that is missing, unreadable to this user, not a file, not JSON or not an account),
 * 1 for anything else (e.g. EIO reading it). Every failure prints one line, `error: ...`.
 */
const exitCode = (exit: Exit.Exit<unknown, unknown>) => {
  if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) return 0
  return Option.match(Cause.failureOption(exit.cause), {
    onNone: () => 1,
    onSome: (error) => error instanceof UsageError || ValidationError.isValidationError(error) || isSnapshotInputError(error) ? 2 : 1
  })
}

runSandboxCommand(process.argv).pipe(
  withoutCliErrorPrinting,
  Effect.tapErrorCause((cause) => Option.match(errorLine(cause), { onNone: () => Effect.void, onSome: Console.error })),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: true, teardown: (exit, onExit) => onExit(exitCode(exit)) })
)
