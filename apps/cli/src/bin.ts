#!/usr/bin/env node
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { run } from "./Cli.js"
import { exitCode, reportFailure, withoutCliErrorPrinting } from "./Exit.js"

run(process.argv).pipe(
  Effect.tapErrorCause(reportFailure),
  withoutCliErrorPrinting,
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    disablePrettyLogger: true,
    teardown: (exit, onExit) => onExit(exitCode(exit))
  })
)
