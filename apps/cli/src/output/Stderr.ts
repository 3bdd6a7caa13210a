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

let failuresIgnored = false

/**
 * Writes to stderr, whose reader may go away (`2>&1 | head`, a log collector restarting): Node
 * throws a failed write's EPIPE as an 'error' event when nothing listens, which ended a sync at
 * once, exit 1, its scratch file left beside --file and the previous file kept. There is nobody
 * left to tell, so the run goes on without its human channel; its result is the file, the exit
 * code and --summary-file.
 */
const write = (text: string) => {
  if (!failuresIgnored) {
    process.stderr.on("error", () => undefined)
    failuresIgnored = true
  }
  process.stderr.write(text)
}

/** Synchronous, for the logger; everything else uses `line`. */
export const writeLine = (text: string) => {
  write(progressShown ? `${clearLine}${text}\n` : `${text}\n`)
  progressShown = false
}

export const line = (text: string) => Effect.sync(() => writeLine(text))

/** One updating line on a terminal; nothing otherwise (a log file gets no carriage returns). */
export const progress = (text: string) =>
  Effect.sync(() => {
    if (!isTerminal()) return
    // `columns` is 0 or undefined when the terminal does not report a size.
    const width = process.stderr.columns || 120
    write(clearLine + text.slice(0, Math.max(width - 1, 20)))
    progressShown = true
  })

export const clearProgress = Effect.sync(() => {
  if (progressShown) write(clearLine)
  progressShown = false
})
