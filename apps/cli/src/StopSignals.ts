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

/**
 * SIGHUP, sent when the terminal goes (an SSH session dropped, a terminal window closed), took
 * Node's default action: the process died at once, leaving a sync's scratch database beside --file,
 * or a review command's decompressed copy of the .c1z (every user's access) in the temporary
 * directory, until a later run removed it. It is raised again as SIGTERM, so the command stops and
 * cleans up as for Ctrl-C or SIGTERM (exit 130), and counts as one of those signals above.
 */
export const stopOnHangup = (): void => {
  process.on("SIGHUP", () => process.kill(process.pid, "SIGTERM"))
}
