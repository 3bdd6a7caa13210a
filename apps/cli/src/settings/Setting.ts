import { Config, type ConfigError, ConfigProvider, Effect, Option } from "effect"
import { UsageError } from "../UsageError.js"
import type { ConfigFileSource } from "./ConfigFileSource.js"

/**
 * One baton setting: a flag `--foo-bar`, the variable `BATON_FOO_BAR`, the config-file key
 * `foo-bar`. `config(key)` reads and checks one raw value with Effect's Config primitives, so a
 * value is parsed the same way wherever it comes from.
 */
export interface Setting<A> {
  readonly flag: string
  readonly config: (key: string) => Config.Config<A>
}

/** Raw values the user gave, by source. */
export interface SettingSources {
  /** Flag name -> the text given on the command line (booleans: "true"). */
  readonly flags: ReadonlyMap<string, string>
  readonly file: Option.Option<ConfigFileSource>
}

export const envName = (flag: string) => `BATON_${flag.toUpperCase().replaceAll("-", "_")}`

/** What an error says about a setting: the leaf's message (values of secrets never reach it). */
const describe = (error: ConfigError.ConfigError): string =>
  error._op === "And" || error._op === "Or" ? describe(error.left) : error.message

const attempt = <A>(
  setting: Setting<A>,
  label: string,
  key: string,
  provider: Option.Option<ConfigProvider.ConfigProvider>
): Effect.Effect<Option.Option<A>, UsageError> => {
  const read = Effect.mapError(
    Config.option(setting.config(key)),
    (error) => new UsageError({ reason: `${label}: ${describe(error)}` })
  )
  return Option.match(provider, { onNone: () => read, onSome: (p) => Effect.withConfigProvider(read, p) })
}

/**
 * The setting's value from the first source that has it: flag > environment > config file.
 * A source with a bad value fails (exit 2) even when a later source would have a good one.
 * The environment is read through the ambient ConfigProvider.
 */
export const lookup = <A>(setting: Setting<A>, sources: SettingSources): Effect.Effect<Option.Option<A>, UsageError> => {
  const flagValue = sources.flags.get(setting.flag)
  const fromFlag = flagValue === undefined
    ? Effect.succeedNone
    : attempt(
      setting,
      `--${setting.flag}`,
      setting.flag,
      Option.some(ConfigProvider.fromMap(new Map([[setting.flag, flagValue]])))
    )
  const fromEnv = attempt(setting, envName(setting.flag), envName(setting.flag), Option.none())
  const fromFile = Option.match(sources.file, {
    onNone: () => Effect.succeedNone,
    onSome: (file) => attempt(setting, `${file.label}: ${setting.flag}`, setting.flag, Option.some(file.provider))
  })
  return fromFlag.pipe(
    Effect.flatMap((value) => Option.isSome(value) ? Effect.succeed(value) : fromEnv),
    Effect.flatMap((value) => Option.isSome(value) ? Effect.succeed(value) : fromFile)
  )
}
