/**
 * What SIGINT and SIGTERM do after the first. The first interrupts the command (NodeRuntime.runMain's
 * handler, which then stops listening), and the command cleans up: a sync removes its scratch files
 * and says it was interrupted, then exits 130. A second signal in that moment (Ctrl-C pressed twice,
 * a supervisor's SIGTERM after a SIGINT) took Node's default action, through the launcher's listener
 * (CodeCacheLauncher): the process died mid-cleanup, its scratch files left and nothing said. Now a
 * second is ignored, and a third (someone insisting) ends the process at once, still with 130.
 */
export const ignoreRepeatedStopSignals = (): void => {
  let received = 0
  const onSignal = () => {
    received += 1
    if (received >= 3) process.exit(130)
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
}
