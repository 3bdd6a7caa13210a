#!/usr/bin/env node
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { run } from "./Cli.js"
import { withoutCliErrorPrinting } from "@baton-fivetran/settings"
import { exitCode, reportFailure } from "./Exit.js"

/**
 * The service's output may lose its reader (`2>&1 | head`, a log collector restarting). Node
 * throws a failed write's EPIPE as an 'error' event when nothing listens, which stopped the
 * service at its next log line, exit 1, its data directory's lock left behind and a sync it was
 * running marked as running. It serves on without its output: its jobs, metrics and OTLP export
 * do not need it.
 */
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined)

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
