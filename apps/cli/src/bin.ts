#!/usr/bin/env node
// Per-module imports: the @effect/platform-node barrel would also load its HTTP server and client.
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect } from "effect"
import { setFlagsFromString } from "node:v8"
import { run } from "./Cli.js"
import { withoutCliErrorPrinting } from "@baton-fivetran/settings"
import { exitCode, reportFailure } from "./Exit.js"

// V8 lets the old generation grow to up to four times what a collection left live; a sync allocates
// fast enough to get that factor and holds ~30 MB live, so a large sync's heap reached ~190 MB.
// Twice the live size keeps a large sync's peak RSS at ~260 MB instead of ~360 MB, for ~9% more
// CPU time (measured with the flag on the command line; it is read at every collection).
setFlagsFromString("--heap-growing-percent=100")

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
