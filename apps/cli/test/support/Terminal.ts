import { Command, type CommandExecutor } from "@effect/platform"
import type { Effect } from "effect"
import { binPath, type CliResult, runCommand } from "./CliProcess.js"

/** One word of `sh -c`'s command line, single-quoted: a path or flag value reaches the CLI as it is. */
const shellWord = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`

/**
 * Runs `node <bin> args` to completion under a pseudo-terminal (util-linux `script`), so that
 * stdout and stderr are a TTY: the help's colours, the sync's redrawn progress line. The terminal
 * shows both as one stream, the result's `stdout` (its line breaks \r\n). Asynchronous, unlike
 * execFileSync: a sandbox in the test's own process answers the CLI meanwhile.
 */
export const runUnderTerminal = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {}
): Effect.Effect<CliResult, unknown, CommandExecutor.CommandExecutor> =>
  runCommand(
    Command.make("script", "-q", "-e", "-c", [process.execPath, binPath, ...args].map(shellWord).join(" "), "/dev/null").pipe(
      Command.env({ PATH: process.env.PATH, HOME: process.env.HOME, ...env }, { extendEnv: false })
    )
  )
