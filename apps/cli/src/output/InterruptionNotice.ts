import { Effect, LogLevel } from "effect"
import { notice } from "./Notice.js"

/**
 * A run stopped by SIGINT or SIGTERM says so once, and exits 130: the command it stopped tells what
 * its interruption left (a sync's file, a grant, a review's output, a sandbox) through
 * `interruptionNotice`; a stop that no command told (one as the program loads, or as the command
 * reads its settings) is told by the run, `untoldInterruption`. It exited 130 with nothing said,
 * where a moment later the command said it; a CronJob's or systemd's log showed no reason.
 */

let told = false

/** A command's line about its interruption (notice's arguments): the run then tells none of its own. */
export const interruptionNotice = (...line: Parameters<typeof notice>) =>
  Effect.zipRight(Effect.sync(() => void (told = true)), notice(...line))

const untoldText = "interrupted before the command did anything: nothing was done"

/** The run's line for an interruption no command told: which signal, and that nothing was done. */
export const untoldInterruption = (signal: NodeJS.Signals | undefined): Effect.Effect<void> =>
  Effect.suspend(() =>
    told ? Effect.void : notice(
      LogLevel.Warning,
      signal === undefined ? untoldText : `interrupted by ${signal} before the command did anything: nothing was done`,
      { msg: untoldText, fields: { ...(signal === undefined ? {} : { signal }), exit_code: 130 } }
    )
  )
