/**
 * A second SIGINT or SIGTERM while the first one's cleanup runs (Ctrl-C pressed twice). The
 * runtime stops listening once the first has interrupted the program, so Node's default action
 * ended the process at the second: no `interrupted:` line, and the sync's scratch database left
 * beside --file until the next run. Listening from the start, later signals let the cleanup
 * finish (it takes well under a second: in-flight requests are aborted, the scratch file removed),
 * with `cleanupGraceMillis` as a bound should it hang; a third signal ends the process at once.
 */

const cleanupGraceMillis = 5_000

const interruptedExitCode = 130

export const letCleanupFinish = () => {
  let received = 0
  const onSignal = () => {
    received++
    // The first is the runtime's to handle: it interrupts the program, whose cleanup then runs.
    if (received === 2) setTimeout(() => process.exit(interruptedExitCode), cleanupGraceMillis).unref()
    if (received >= 3) process.exit(interruptedExitCode)
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
}
