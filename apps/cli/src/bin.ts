#!/usr/bin/env node
// Per-module imports: the @effect/platform-node barrel would also load its HTTP server and client.
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect } from "effect"
import { run } from "./Cli.js"
import { withoutCliErrorPrinting } from "@baton-fivetran/settings"
import { exitCode, reportFailure } from "./Exit.js"

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
