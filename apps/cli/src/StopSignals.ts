import { makeRunMain } from "@effect/platform/Runtime"
import { Effect, type Scope } from "effect"

/**
 * What SIGINT and SIGTERM do after the first. The first interrupts the command (runMain's handler
 * below, which then stops listening), and the command cleans up: a sync removes its scratch files
 * and says it was interrupted, then exits 130. A second signal in that moment (Ctrl-C pressed twice,
 * a supervisor's SIGTERM after a SIGINT) took Node's default action, through the launcher's listener
 * (CodeCacheLauncher): the process died mid-cleanup, its scratch files left and nothing said. Now a
 * second is ignored, and a third (someone insisting) ends the process at once, still with 130. A
 * first signal a command held (holdFirstStop) counts too: the second interrupts, the third ends.
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

/** What a command asked a first stop signal to do instead of interrupting it, while it holds it. */
let firstStopHolder: ((signal: NodeJS.Signals) => void) | undefined

/**
 * Until the scope closes, a first SIGINT or SIGTERM calls `onStop` instead of interrupting the
 * command, and the next one interrupts it: a sync whose every row is written lets its file be
 * finished (seconds at most) rather than throw the completed sync away.
 */
export const holdFirstStop = (onStop: (signal: NodeJS.Signals) => void): Effect.Effect<void, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => void (firstStopHolder = onStop)),
    () => Effect.sync(() => void (firstStopHolder = undefined))
  )

/** What every stop signal does instead of interrupting, once a command holds them all. */
let everyStopHolder: ((signal: NodeJS.Signals) => void) | undefined

/**
 * From now until the process ends, every SIGINT and SIGTERM calls `onStop` and none interrupts the
 * command (a third still ends the process, ignoreRepeatedStopSignals): a sync whose new file is
 * being renamed into place has completed, and a stop then, which said the previous file was kept
 * and exited 130, left the new file in place and its summary unwritten.
 */
export const holdEveryStop = (onStop: (signal: NodeJS.Signals) => void): Effect.Effect<void> =>
  Effect.sync(() => void (everyStopHolder = onStop))

/** The SIGINT or SIGTERM that interrupted the command, once one has: the run's line names it (InterruptionNotice.ts). */
let stopSignal: NodeJS.Signals | undefined

export const receivedStopSignal = (): NodeJS.Signals | undefined => stopSignal

/**
 * @effect/platform-node's NodeRuntime.runMain (a SIGINT or SIGTERM interrupts the main fiber; the
 * process exits with the teardown's code), with two differences: a first signal that a command
 * holds (holdFirstStop) goes to that command, and only the next signal interrupts; once a command
 * holds every signal (holdEveryStop), none interrupts.
 */
export const runMain = makeRunMain(({ fiber, teardown }) => {
  // The main fiber's work may wait on nothing Node counts (a timer of Effect's scheduler): keep the loop alive.
  const keepAlive = setInterval(() => undefined, 2 ** 31 - 1)
  let signalled = false
  const stopListening = () => {
    process.removeListener("SIGINT", onSignal)
    process.removeListener("SIGTERM", onSignal)
  }
  function onSignal(signal: NodeJS.Signals) {
    const holder = everyStopHolder ?? (signalled ? undefined : firstStopHolder)
    signalled = true
    if (holder !== undefined) return holder(signal)
    stopListening()
    stopSignal = signal
    fiber.unsafeInterruptAsFork(fiber.id())
  }
  fiber.addObserver((exit) => {
    stopListening()
    clearInterval(keepAlive)
    teardown(exit, (code) => {
      if (signalled || code !== 0) process.exit(code)
    })
  })
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
})
