// The CLI's program; the executable is launch.ts, which runs this one bundled, from V8's code cache.
// Per-module imports: the @effect/platform-node barrel would also load its HTTP server and client.
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { Effect, Layer } from "effect"
import { run } from "./Cli.js"
import { withoutCliErrorPrinting } from "@baton-fivetran/settings"
import { exitCode, withoutUnhandledErrorLogs } from "./Exit.js"
import { ignoreRepeatedStopSignals, runMain, stopOnHangup } from "./StopSignals.js"

// What @effect/cli and the commands use of NodeContext.layer, without its process spawner and worker
// manager (child_process and worker_threads loaded at every start).
const platform = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)

ignoreRepeatedStopSignals()
stopOnHangup()

// A failure is reported by run(), in the format the logging settings ask for.
run(process.argv).pipe(
  withoutCliErrorPrinting,
  Effect.provide(platform),
  withoutUnhandledErrorLogs,
  runMain({
    disableErrorReporting: true,
    disablePrettyLogger: true,
    teardown: (exit, onExit) => onExit(exitCode(exit))
  })
)
