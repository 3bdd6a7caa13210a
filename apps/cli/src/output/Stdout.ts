import { Data, Effect, Option } from "effect"
import { format } from "node:util"

/**
 * The CLI's result channel: rows, manifests, a provisioning outcome, the sandbox's banner, help and
 * --version. A write that fails (a full disk, an I/O error, a descriptor not open for writing) fails
 * the command, exit 1, naming why: a script's `> review.csv` on a full disk believed it had the
 * sheet. A reader gone (EPIPE: `| head` has its lines) ends the command quietly, exit 0, as Unix
 * tools do and as a `set -o pipefail` pipeline expects of a reader's own choice.
 */

/** stdout failed (a full disk, say). */
export class OutputError extends Data.TaggedError("OutputError")<{ readonly reason: string }> {
  override get message() {
    return `could not write the output to standard output: ${this.reason}`
  }
}

/** The reader of stdout went away (EPIPE). Not a failure: the command ends there, quietly. */
export class StdoutClosed extends Data.TaggedError("StdoutClosed") {}

/** Node's `ENOSPC: no space left on device, write` as `no space left on device (ENOSPC)`. */
const reasonOf = (error: NodeJS.ErrnoException) => {
  const code = error.code
  if (code === undefined || !error.message.startsWith(`${code}: `)) return error.message
  const description = error.message.slice(code.length + 2).replace(/, write$/, "")
  return `${description} (${code})`
}

const writeFailure = (error: NodeJS.ErrnoException) =>
  error.code === "EPIPE" ? new StdoutClosed() : new OutputError({ reason: reasonOf(error) })

/** A write error reaches the write's callback; without a listener Node also throws it, as an 'error' event. */
const ignore = () => {}

/** Writes to stdout, waiting for the write: a failure is an OutputError, a reader gone (EPIPE) StdoutClosed. */
export const writeStdout = (text: string) =>
  Effect.async<void, OutputError | StdoutClosed>((resume) => {
    if (!process.stdout.listeners("error").includes(ignore)) process.stdout.on("error", ignore)
    process.stdout.write(text, (error) => resume(error ? Effect.fail(writeFailure(error)) : Effect.void))
  })

/**
 * `effect` with Console.log writing through writeStdout. Console.log (@effect/cli's help and
 * --version, the provisioning outcome, the sandbox's banner) cannot fail, and Node's console
 * ignores a failed write: each exited 0 with nothing written. Its failure is carried out as a
 * defect and made the command's failure again here. A reader gone is let be: what these print is
 * a command's last word (or the banner of a sandbox that serves on).
 */
export const withCheckedStdout = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | OutputError, R> =>
  Effect.flatMap(Effect.console, (console) =>
    Effect.withConsole(effect, {
      ...console,
      log: (...args) => writeStdout(`${format(...args)}\n`).pipe(Effect.catchTag("StdoutClosed", () => Effect.void), Effect.orDie)
    })).pipe(
      Effect.catchSomeDefect((defect) => defect instanceof OutputError ? Option.some(Effect.fail(defect)) : Option.none())
    )
