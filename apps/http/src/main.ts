#!/usr/bin/env node
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { run } from "./Cli.js"
import { withoutCliErrorPrinting } from "@baton-fivetran/settings"
import { exitCode, reportFailure } from "./Exit.js"

run(process.argv).pipe(
  withoutCliErrorPrinting,
  Effect.tapErrorCause(reportFailure),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    // The service's own logger (--log-format, on stderr) is the only one: runMain's pretty logger
    // printed every line a second time, on stdout.
    disablePrettyLogger: true,
    teardown: (exit, onExit) => onExit(exitCode(exit))
  })
)
