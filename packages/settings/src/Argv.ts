import { Option } from "effect"

/**
 * Two baton conventions @effect/cli cannot express, applied by both apps to argv before it parses:
 * - `--log-level` is an @effect/cli built-in that accepts Effect's level names and re-runs the
 *   command without it, so baton's `--log-level debug|info|warn|error` is taken out here and
 *   resolved with the other settings (flag > env > file > default); a missing value is kept as ""
 *   so that it is reported as a bad value.
 * - `--sandbox [preset]` takes an optional value: a bare `--sandbox` means `--sandbox small`.
 */
export interface NormalizedArgv {
  readonly args: ReadonlyArray<string>
  readonly logLevel: Option.Option<string>
}

export const DefaultSandboxPreset = "small"

const takesNoValue = (next: string | undefined) => next === undefined || next.startsWith("-")

export const normalizeArgv = (argv: ReadonlyArray<string>): NormalizedArgv => {
  const args: Array<string> = []
  let logLevel = Option.none<string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--") {
      args.push(...argv.slice(i))
      break
    }
    if (arg === "--log-level") {
      // A missing value is kept as "" so that resolution reports it as a bad --log-level value.
      const next = argv[i + 1]
      logLevel = Option.some(takesNoValue(next) ? "" : next!)
      if (!takesNoValue(next)) i++
    } else if (arg.startsWith("--log-level=")) {
      logLevel = Option.some(arg.slice("--log-level=".length))
    } else if (arg === "--sandbox" && takesNoValue(argv[i + 1])) {
      args.push(arg, DefaultSandboxPreset)
    } else {
      args.push(arg)
    }
  }
  return { args, logLevel }
}
