import { Option } from "effect"
import type { FlagValue, Setting } from "./Setting.js"
import { BooleanWords } from "./SettingKind.js"

/**
 * Baton conventions @effect/cli cannot express, applied by both apps to argv before it parses:
 * - `--log-level` is an @effect/cli built-in that accepts Effect's level names and re-runs the
 *   command without it, so baton's `--log-level debug|info|warn|error` is taken out here and
 *   resolved with the other settings (flag > env > file > default); a missing value is kept as ""
 *   so that it is reported as a bad value. `--log-format` is taken out the same way: given to a
 *   subcommand before its own flags (`sandbox --log-format json --preset small`), @effect/cli read
 *   it as the root's and refused the flags after it ("Received unknown argument: '--preset'").
 * - A switch given a value (`--provisioning=false`, `-p false`) is taken out with its value: to
 *   @effect/cli a false switch and an absent one are the same, so an explicit `false` on the
 *   command line lost to `BATON_PROVISIONING=true` or `.baton.yaml`. As in baton (cobra/viper), a
 *   flag that is given wins, whatever its value.
 * - `--sandbox [preset]` takes an optional value: a bare `--sandbox` means `--sandbox small`.
 * - A long flag given an empty value with `=` (`--file=`) is passed as the flag and "".
 */
export interface NormalizedArgv {
  readonly args: ReadonlyArray<string>
  /** Values taken out of argv, by flag name: `log-level`, `log-format` and switches given a value. */
  readonly given: ReadonlyMap<string, FlagValue>
}

export const DefaultSandboxPreset = "small"

const takesNoValue = (next: string | undefined) => next === undefined || next.startsWith("-")

/** The logging flags, read wherever they stand (above). */
const takenOut: ReadonlySet<string> = new Set(["--log-level", "--log-format"])

/**
 * A switch's value after a space (`-p false`): the words the settings accept (Go's, SettingKind.ts),
 * and those @effect/cli would take as one (`yes`, `on`, `n`...), taken out too so that the
 * resolution refuses them, as it does from a variable, rather than @effect/cli reading them.
 */
const cliSwitchWords: ReadonlySet<string> = new Set(["true", "1", "y", "yes", "on", "false", "0", "n", "no", "off"])

const isSwitchValue = (next: string | undefined): next is string =>
  next !== undefined && (BooleanWords.includes(next) || cliSwitchWords.has(next.toLowerCase()))

/** `settings` are the app's settings: their switches, by every spelling, are recognised. */
export const normalizeArgv = (argv: ReadonlyArray<string>, settings: ReadonlyArray<Setting<unknown>>): NormalizedArgv => {
  const switches = new Map<string, string>()
  for (const setting of settings) {
    if (setting.kind.flag !== "switch") continue
    switches.set(`--${setting.flag}`, setting.flag)
    if (Option.isSome(setting.alias)) switches.set(`-${setting.alias.value}`, setting.flag)
  }
  const args: Array<string> = []
  const given = new Map<string, FlagValue>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const equals = arg.indexOf("=")
    const name = equals < 0 ? arg : arg.slice(0, equals)
    const next = argv[i + 1]
    if (arg === "--") {
      args.push(...argv.slice(i))
      break
    }
    if (takenOut.has(name)) {
      // A missing value is kept as "" so that resolution reports it as a bad value of the flag.
      const flag = name.slice(2)
      if (equals >= 0) given.set(flag, arg.slice(equals + 1))
      else {
        given.set(flag, takesNoValue(next) ? "" : next!)
        if (!takesNoValue(next)) i++
      }
    } else if (switches.has(name) && equals >= 0) {
      // Checked by the resolution like any value: `--provisioning=maybe` is refused, naming the flag.
      given.set(switches.get(name)!, arg.slice(equals + 1))
    } else if (switches.has(name) && isSwitchValue(next)) {
      given.set(switches.get(name)!, next)
      i++
    } else if (name.startsWith("--") && equals === arg.length - 1) {
      // `--file=` (an unset variable in `--file=$OUT`): @effect/cli read it as a flag without its value,
      // then the next argument as a subcommand ("Invalid subcommand"). Apart, it is the empty value
      // the flag's own check refuses, naming the flag.
      args.push(name, "")
    } else if (arg === "--sandbox" && takesNoValue(next)) {
      args.push(arg, DefaultSandboxPreset)
    } else {
      args.push(arg)
    }
  }
  return { args, given }
}

/** The flags @effect/cli parsed, with the values normalizeArgv took out of argv (those win). */
export const withGivenFlags = (
  parsed: ReadonlyMap<string, FlagValue>,
  given: ReadonlyMap<string, FlagValue>
): ReadonlyMap<string, FlagValue> => given.size === 0 ? parsed : new Map([...parsed, ...given])
