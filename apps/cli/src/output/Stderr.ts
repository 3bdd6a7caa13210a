import { Effect } from "effect"

/**
 * The CLI's human channel. Summaries, logs and the progress line go to stderr so that stdout
 * carries only a command's result (JSON or a provisioning outcome) for other tools to read.
 * Console.error is left to @effect/cli's usage errors (see bin.ts).
 *
 * `progressShown` mirrors the terminal's state (is the cursor on a progress line?), which is as
 * process-wide as stderr itself.
 */

/** Erase the current terminal line (the progress line) before writing over it. */
const clearLine = "\r\x1b[2K"

let progressShown = false

export const isTerminal = () => process.stderr.isTTY === true

/** Synchronous, for the logger; everything else uses `line`. */
export const writeLine = (text: string) => {
  process.stderr.write(progressShown ? `${clearLine}${text}\n` : `${text}\n`)
  progressShown = false
}

export const line = (text: string) => Effect.sync(() => writeLine(text))

/** One updating line on a terminal; nothing otherwise (a log file gets no carriage returns). */
export const progress = (text: string) =>
  Effect.sync(() => {
    if (!isTerminal()) return
    // `columns` is 0 or undefined when the terminal does not report a size.
    const width = process.stderr.columns || 120
    process.stderr.write(clearLine + text.slice(0, Math.max(width - 1, 20)))
    progressShown = true
  })

export const clearProgress = Effect.sync(() => {
  if (progressShown) process.stderr.write(clearLine)
  progressShown = false
})
