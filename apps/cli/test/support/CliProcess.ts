import { Command, type CommandExecutor } from "@effect/platform"
import { assert } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { fileURLToPath } from "node:url"

/** The bundled CLI, as users run it (build first; turbo's test task depends on the build). */
export const binPath = fileURLToPath(new URL("../../bundle/baton-fivetran.js", import.meta.url))

export interface CliOptions {
  /**
   * The only variables the CLI sees besides PATH and HOME: no BATON_* leaks in from the test's shell.
   * BATON_LOG_FORMAT is `console` unless given here (or `--log-format` is): most tests read what a
   * person reads on stderr, and those about JSON logs ask for them (an empty value is unset: the
   * default, json when stderr is not a terminal).
   */
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
}

export interface CliResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

export const cliCommand = (args: ReadonlyArray<string>, options: CliOptions = {}) => {
  const command = Command.make(process.execPath, binPath, ...args).pipe(
    Command.env({ PATH: process.env.PATH, HOME: process.env.HOME, BATON_LOG_FORMAT: "console", ...options.env }, { extendEnv: false })
  )
  return options.cwd === undefined ? command : Command.workingDirectory(command, options.cwd)
}

const text = <E>(stream: Stream.Stream<Uint8Array, E>) => stream.pipe(Stream.decodeText(), Stream.mkString)

/** Runs the CLI to completion and collects its output. */
export const runCli = (
  args: ReadonlyArray<string>,
  options: CliOptions = {}
): Effect.Effect<CliResult, unknown, CommandExecutor.CommandExecutor> => runCommand(cliCommand(args, options))

/** Runs a command that runs the CLI (cliCommand's, or one wrapping it) to completion and collects its output. */
export const runCommand = (command: Command.Command): Effect.Effect<CliResult, unknown, CommandExecutor.CommandExecutor> =>
  Effect.scoped(Effect.gen(function*() {
    const process = yield* Command.start(command)
    const [stdout, stderr, exitCode] = yield* Effect.all(
      [text(process.stdout), text(process.stderr), process.exitCode],
      { concurrency: "unbounded" }
    )
    return { exitCode, stdout, stderr }
  }))

/** The CLI's stderr as JSON lines (with `--log-format json`, or its default when stderr is not a terminal). */
export const jsonLines = (stderr: string): ReadonlyArray<Record<string, unknown>> =>
  stderr.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>)

/** The JSON log lines on stderr without their time (`ts`), for exact comparisons. */
export const logFields = (stderr: string): ReadonlyArray<Record<string, unknown>> =>
  jsonLines(stderr).map(({ ts: _ts, ...fields }) => fields)

export const assertExit = (result: CliResult, expected: number) =>
  assert.strictEqual(
    result.exitCode,
    expected,
    `exit code ${result.exitCode}, expected ${expected}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`
  )

/** Secrets must not appear anywhere in what the CLI prints. */
export const assertNoSecret = (result: CliResult, secret: string) => {
  assert.isFalse(result.stdout.includes(secret), "the secret appeared on stdout")
  assert.isFalse(result.stderr.includes(secret), "the secret appeared on stderr")
}
