#!/usr/bin/env node
import { errorLine, withoutCliErrorPrinting } from "@baton-fivetran/settings"
import { ValidationError } from "@effect/cli"
// Per-module imports: the @effect/platform-node barrel would also load its HTTP, cluster and RPC modules.
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { Cause, Console, Effect, Exit, Layer, Option } from "effect"
import { runSandboxCommand } from "./SandboxCommand.js"
import { UsageError } from "./UsageError.js"

/**
 * Exit codes: 0 after Ctrl-C, 2 for bad usage (an unknown flag, a bad value, a conflicting pair, a
 * --state file that is missing, unreadable to this user, not a file, not JSON or not an account),
 * 1 for anything else (e.g. EIO reading it). Every failure prints one line, `error: ...`. This
 * module loads nothing of the server: the command loads it once the flags are good.
 */
const exitCode = (exit: Exit.Exit<unknown, unknown>) => {
  if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) return 0
  return Option.match(Cause.failureOption(exit.cause), {
    onNone: () => 1,
    onSome: (error) => error instanceof UsageError || ValidationError.isValidationError(error) ? 2 : 1
  })
}

// What @effect/cli and the command use of NodeContext.layer, without its process spawner and worker manager.
const platform = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)

runSandboxCommand(process.argv).pipe(
  withoutCliErrorPrinting,
  Effect.tapErrorCause((cause) => Option.match(errorLine(cause), { onNone: () => Effect.void, onSome: Console.error })),
  Effect.provide(platform),
  NodeRuntime.runMain({ disableErrorReporting: true, teardown: (exit, onExit) => onExit(exitCode(exit)) })
)
