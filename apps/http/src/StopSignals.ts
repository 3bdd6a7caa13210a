import { Effect, Runtime, type Scope } from "effect"

/**
 * What SIGINT and SIGTERM do after the first, as the CLI does (apps/cli StopSignals.ts). The first
 * stops the service (NodeRuntime.runMain, main.ts, which then stops listening): new requests are
 * refused, a running sync is cancelled, and the answers in flight (a download, an export) are sent to
 * their end before the process exits 0. A second signal in that time (a supervisor that repeats its
 * SIGTERM, Ctrl-C pressed twice) took Node's default action: the process died at once by the
 * signal, cutting those answers, its data directory's lock and its working copies left behind. Now
 * the second is ignored, saying so, and a third (someone insisting) ends the process at once, exit 130.
 */

/** The exit code of a process that a third stop signal ended, as the CLI's. */
export const InsistedStopExitCode = 130

const signals = ["SIGINT", "SIGTERM"] as const

/**
 * Counts the stop signals from now until the scope closes (the server's close, the stop's last
 * step). A first signal that nothing else listens for (an app that embeds the service and handles
 * no signals) keeps Node's default action.
 */
export const repeatedStopSignals: Effect.Effect<void, never, Scope.Scope> = Effect.gen(function*() {
  const runtime = yield* Effect.runtime<never>()
  let received = 0
  const onSignal = (signal: NodeJS.Signals) => {
    if (received === 0 && process.listenerCount(signal) === 1) {
      stopListening()
      process.kill(process.pid, signal)
      return
    }
    received += 1
    if (received === 2) {
      Runtime.runFork(runtime)(
        Effect.logWarning(
          "stop signal while the service stops, ignored: the answers in flight are being finished; a third ends the process at once"
        )
          .pipe(Effect.annotateLogs({ signal }))
      )
    } else if (received >= 3) {
      // Logged before the exit: a fiber runs synchronously until it waits, and the logger writes at once.
      Runtime.runFork(runtime)(
        Effect.logWarning("third stop signal: the process ends at once, cutting the answers in flight")
          .pipe(Effect.annotateLogs({ signal, exit_code: InsistedStopExitCode }))
      )
      process.exit(InsistedStopExitCode)
    }
  }
  const stopListening = () => {
    for (const name of signals) process.removeListener(name, onSignal)
  }
  yield* Effect.acquireRelease(
    Effect.sync(() => {
      // Ahead of runMain's listener, which removes itself as it takes the first signal: this one sees it still there.
      for (const name of signals) process.prependListener(name, onSignal)
    }),
    () => Effect.sync(stopListening)
  )
})
